package kvapi

// Small generic helpers choose a lifetime, a key or a limit from values
// their caller writes out: If(retry, 30*time.Second, 10*time.Minute), or
// a Choose(cond, a, b) of the team's own. Such a helper returns one of its
// arguments as it is, so a call of it may give any of them. Helpers like
// these often live in a package that does not use KV, so what they do is
// found from their syntax and travels as a fact.

import (
	"go/ast"
	"go/types"
	"slices"

	"golang.org/x/tools/go/ssa"
	"golang.org/x/tools/go/types/typeutil"
)

// A pickFact marks a function each of whose returns gives back one of the
// parameters Params, unchanged (see exportHelpers).
type pickFact struct {
	Params []int
}

func (*pickFact) AFact() {}

func (f *pickFact) String() string { return "returns one of its arguments" }

// picked returns the indexes of the parameters that fn's returns give,
// when each return gives one as it is and the body reads those
// parameters nowhere else: the choice is made on other arguments (cond),
// not by comparing the values (a clamp, AtLeast(d, floor), is a bound,
// not a choice). At least two must be returned; it returns nil otherwise.
func picked(info *types.Info, fn *types.Func, body *ast.BlockStmt) []int {
	sig := fn.Signature()
	if sig.Results().Len() != 1 || sig.Variadic() {
		return nil
	}
	index := make(map[types.Object]int)
	for i := range sig.Params().Len() {
		index[sig.Params().At(i)] = i
	}
	var params []int
	returned := make(map[*ast.Ident]bool)
	ok := true
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			ok = false // a closure may read or change them
		case *ast.ReturnStmt:
			if len(n.Results) != 1 {
				ok = false
				break
			}
			id, isIdent := ast.Unparen(n.Results[0]).(*ast.Ident)
			i, isParam := index[info.Uses[id]]
			if !isIdent || !isParam {
				ok = false
				break
			}
			returned[id] = true
			if !slices.Contains(params, i) {
				params = append(params, i)
			}
		}
		return ok
	})
	if !ok || len(params) < 2 {
		return nil
	}
	for id, obj := range info.Uses {
		if i, isParam := index[obj]; isParam && slices.Contains(params, i) && !returned[id] && body.Pos() <= id.Pos() && id.End() <= body.End() {
			return nil // compared, changed or addressed
		}
	}
	slices.Sort(params)
	return params
}

// Picks reports whether call is of a helper that returns one of its
// arguments: lo.Ternary(public, 10*time.Minute, 30*time.Second).
func (r *Result) Picks(call *ssa.Call) bool { return r.pickedArgs(&call.Call) != nil }

// pickedArgs returns the arguments of call that its callee may return,
// when the callee (or the generic function it instantiates) is a helper
// that returns one of them (see pickFact); nil otherwise.
func (r *Result) pickedArgs(call *ssa.CallCommon) []ssa.Value {
	callee := call.StaticCallee()
	if callee == nil {
		return nil
	}
	var fact pickFact
	if !r.helperFact(callee, &fact) {
		return nil
	}
	var args []ssa.Value
	for _, i := range fact.Params {
		if i >= len(call.Args) {
			return nil
		}
		args = append(args, call.Args[i])
	}
	return args
}

// A countdownFact marks a function that, on some path, returns in its
// result Result the time left until a moment, as it is: return
// time.Until(deadline), beside return def. Such helpers (FromDeadline,
// ExpiresIn, RetryAfter) often live in a package that does not use KV, so
// they are found from their syntax; a caller that takes the result as a
// lifetime gets a countdown, with nothing under it unless it clamps it.
type countdownFact struct {
	Results []int
}

func (*countdownFact) AFact() {}

func (f *countdownFact) String() string { return "returns a countdown" }

// countsDown returns the results of fn that one of its returns gives as
// time.Until(t), or t.Sub(time.Now()), as it is.
func countsDown(info *types.Info, body *ast.BlockStmt) []int {
	var results []int
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt:
			for i, res := range n.Results {
				if countdownCall(info, res) && !slices.Contains(results, i) {
					results = append(results, i)
				}
			}
		}
		return true
	})
	slices.Sort(results)
	return results
}

// countdownCall reports whether e is time.Until(t) or t.Sub(time.Now()).
func countdownCall(info *types.Info, e ast.Expr) bool {
	call, ok := ast.Unparen(e).(*ast.CallExpr)
	if !ok {
		return false
	}
	fn, ok := typeutil.Callee(info, call).(*types.Func)
	if !ok || fn.Pkg() == nil || fn.Pkg().Path() != "time" {
		return false
	}
	switch fn.FullName() {
	case "time.Until":
		return true
	case "(time.Time).Sub":
		now, ok := ast.Unparen(call.Args[0]).(*ast.CallExpr)
		if !ok {
			return false
		}
		nowFn, ok := typeutil.Callee(info, now).(*types.Func)
		return ok && nowFn.FullName() == "time.Now"
	}
	return false
}
