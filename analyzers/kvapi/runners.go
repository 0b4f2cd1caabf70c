package kvapi

import (
	"go/ast"
	"go/token"
	"go/types"
	"iter"
	"slices"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
	"golang.org/x/tools/go/types/typeutil"
)

// A runner is a function that calls a function it is given before it
// returns: retry.Do(ctx, 3, func() error { return kv.Put(...) }), a
// backoff loop, a transaction helper. The closure it is given runs where
// the runner is called, as often as it is; one kept for later, a
// callback registered with bus.On, does not. Runners are found from the
// syntax alone, so that a package that does not use KV is not built.

// A runsFact lists the parameters, by index, that a function of another
// package calls before it returns, its receiver first; Each, those of
// them it calls on each run of a loop: a visitor, Walk(ctx, prefix,
// func(key string) error), called once per key it lists. Later lists the
// parameters that a closure it makes, to return or to run in a goroutine
// it does not wait for, calls on each run of a loop: the function of a
// stream's Map(fn) stage or the sink of To(src, sink), called once per
// element that flows through.
type runsFact struct {
	Params []int
	Each   []int
	Later  []int
}

func (*runsFact) AFact() {}

func (f *runsFact) String() string { return "kv runs" }

// findRunners returns the package's runners with the parameters each
// runs, its receiver first, and those it runs in a loop, and exports a
// runsFact for those that other packages can call.
func findRunners(pass *analysis.Pass) (runners, each, later map[*types.Func][]int) {
	type param struct {
		fn    *types.Func
		index int
	}
	params := make(map[*types.Var]param)
	var decls []*ast.FuncDecl
	for decl, fn := range funcDecls(pass) {
		sig, offset := fn.Signature(), 0
		if sig.Recv() != nil {
			offset = 1
		}
		taken := false
		for i := range sig.Params().Len() {
			if p := sig.Params().At(i); isFunc(p.Type()) {
				params[p], taken = param{fn, i + offset}, true
			}
		}
		if taken {
			decls = append(decls, decl)
		}
	}
	runners, each, later = make(map[*types.Func][]int), make(map[*types.Func][]int), make(map[*types.Func][]int)
	runs := func(fn *types.Func, i int) (run, looped, loopedLater bool) {
		if fn.Pkg() == pass.Pkg {
			return slices.Contains(runners[fn], i), slices.Contains(each[fn], i), slices.Contains(later[fn], i)
		}
		var fact runsFact
		return importHelperFact(pass, fn, &fact) && slices.Contains(fact.Params, i), slices.Contains(fact.Each, i), slices.Contains(fact.Later, i)
	}
	retried := make(map[*ast.FuncDecl]map[*ast.CallExpr]bool)
	for _, decl := range decls {
		retried[decl] = retriedCalls(decl.Body)
	}
	// A runner may hand its parameter to another: each round follows one
	// such step.
	for grew, round := true, 0; grew && round < maxRounds; round++ {
		grew = false
		for _, decl := range decls {
			fn := pass.TypesInfo.Defs[decl.Name].(*types.Func)
			run := func(v *types.Var, looped, afterReturn bool) {
				p, ok := params[v]
				if !ok || p.fn != fn {
					return
				}
				if afterReturn {
					if looped && !slices.Contains(later[fn], p.index) {
						later[fn], grew = append(later[fn], p.index), true
					}
					return
				}
				if !slices.Contains(runners[fn], p.index) {
					runners[fn], grew = append(runners[fn], p.index), true
				}
				if looped && !slices.Contains(each[fn], p.index) {
					each[fn], grew = append(each[fn], p.index), true
				}
			}
			// Goroutines that the function waits for (wg.Go(task), then
			// wg.Wait()) run before it returns, as conc's iter.ForEach
			// runs its function on each element.
			waits := waitsForGoroutines(decl.Body)
			// afterReturn: in a closure that runs after fn returns.
			inline := make(map[*ast.FuncLit]bool) // closures a runner runs, walked as such
			var walk func(root ast.Node, looped, afterReturn bool)
			walk = func(root ast.Node, looped, afterReturn bool) {
				var loops []ast.Node // the bodies of the loops around a node
				inLoop := func(n ast.Node) bool {
					return looped || len(loops) > 0 && n.Pos() >= loops[len(loops)-1].Pos()
				}
				ast.Inspect(root, func(n ast.Node) bool {
					if n == nil {
						return true
					}
					for len(loops) > 0 && n.Pos() >= loops[len(loops)-1].End() {
						loops = loops[:len(loops)-1]
					}
					switch n := n.(type) {
					case *ast.FuncLit:
						if !inline[n] {
							walk(n.Body, inLoop(n), afterReturn || !waits) // run later, or not at all
						}
						return false
					case *ast.GoStmt:
						walk(n.Call, inLoop(n), afterReturn || !waits)
						return false
					case *ast.DeferStmt:
						return false
					case *ast.ForStmt:
						loops = append(loops, n.Body)
					case *ast.RangeStmt:
						loops = append(loops, n.Body)
					case *ast.CallExpr:
						here := inLoop(n) && !retried[decl][n]
						if v, ok := paramUse(pass, n.Fun); ok {
							run(v, here, afterReturn)
						}
						callee, ok := typeutil.Callee(pass.TypesInfo, n).(*types.Func)
						if !ok {
							return true
						}
						offset := 0
						if callee.Signature().Recv() != nil {
							offset = 1
						}
						for j, arg := range n.Args {
							ran, each, eachLater := runs(callee.Origin(), j+offset)
							if v, ok := paramUse(pass, arg); ok && eachLater {
								run(v, true, true) // KeyBy(key) making Map(func(v T) {... key(v) ...})
							}
							if !ran {
								continue
							}
							if v, ok := paramUse(pass, arg); ok {
								run(v, here || each, afterReturn)
							}
							if lit, ok := ast.Unparen(arg).(*ast.FuncLit); ok {
								// What a closure it runs calls: ForEachIdx(in,
								// func(i int, t *T) { out[i] = f(t) }).
								walk(lit.Body, here || each, afterReturn)
								inline[lit] = true
							}
						}
					}
					return true
				})
			}
			walk(decl.Body, false, false)
		}
	}
	for _, fn := range funcDecls(pass) {
		if (len(runners[fn]) > 0 || len(later[fn]) > 0) && fn.Exported() {
			pass.ExportObjectFact(fn, &runsFact{Params: runners[fn], Each: each[fn], Later: later[fn]})
		}
	}
	return runners, each, later
}

// waitsForGoroutines reports whether body waits for goroutines it
// starts: a call of a Wait method with no arguments (sync.WaitGroup,
// errgroup.Group, conc's pools).
func waitsForGoroutines(body *ast.BlockStmt) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok && len(call.Args) == 0 {
			if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok && sel.Sel.Name == "Wait" {
				found = true
			}
		}
		return !found
	})
	return found
}

// retriedCalls returns the calls in body that a loop makes until one
// succeeds: if err = op(); err == nil { return nil }. A retry runs its
// closure again only when it fails, not once per item.
func retriedCalls(body *ast.BlockStmt) map[*ast.CallExpr]bool {
	out := make(map[*ast.CallExpr]bool)
	ast.Inspect(body, func(n ast.Node) bool {
		ifs, ok := n.(*ast.IfStmt)
		if !ok {
			return true
		}
		cond, ok := ast.Unparen(ifs.Cond).(*ast.BinaryExpr)
		if !ok || cond.Op != token.EQL || !isNil(cond.Y) && !isNil(cond.X) {
			return true
		}
		for _, part := range []ast.Node{ifs.Init, ifs.Cond} {
			if part == nil {
				continue
			}
			ast.Inspect(part, func(m ast.Node) bool {
				if call, ok := m.(*ast.CallExpr); ok {
					out[call] = true
				}
				return true
			})
		}
		return true
	})
	return out
}

func isNil(e ast.Expr) bool {
	id, ok := ast.Unparen(e).(*ast.Ident)
	return ok && id.Name == "nil"
}

// funcDecls yields the package's function declarations with bodies, with
// their objects.
func funcDecls(pass *analysis.Pass) iter.Seq2[*ast.FuncDecl, *types.Func] {
	return func(yield func(*ast.FuncDecl, *types.Func) bool) {
		for _, file := range pass.Files {
			for _, d := range file.Decls {
				decl, ok := d.(*ast.FuncDecl)
				if !ok || decl.Body == nil {
					continue
				}
				if fn, ok := pass.TypesInfo.Defs[decl.Name].(*types.Func); ok && !yield(decl, fn) {
					return
				}
			}
		}
	}
}

// exportedDecls is funcDecls of the functions that other packages can
// call.
func exportedDecls(pass *analysis.Pass) iter.Seq2[*ast.FuncDecl, *types.Func] {
	return func(yield func(*ast.FuncDecl, *types.Func) bool) {
		for decl, fn := range funcDecls(pass) {
			if fn.Exported() && !yield(decl, fn) {
				return
			}
		}
	}
}

// paramUse returns the variable that e names, when it is a parameter.
func paramUse(pass *analysis.Pass, e ast.Expr) (*types.Var, bool) {
	id, ok := ast.Unparen(e).(*ast.Ident)
	if !ok {
		return nil, false
	}
	v, ok := pass.TypesInfo.Uses[id].(*types.Var)
	return v, ok && !v.IsField()
}

func isFunc(t types.Type) bool {
	_, ok := t.Underlying().(*types.Signature)
	return ok
}

// Runs reports whether fn calls its parameter i, its receiver first,
// before it returns, in itself or through another runner it hands the
// parameter to.
func (r *Result) Runs(fn *ssa.Function, i int) bool {
	obj, ok := origin(fn).Object().(*types.Func)
	if !ok {
		return false
	}
	if j, ok := walkers[obj.FullName()]; ok {
		return i == j
	}
	if obj.Pkg() == r.pass.Pkg {
		return slices.Contains(r.runners[obj], i)
	}
	var fact runsFact
	return importHelperFact(r.pass, obj, &fact) && slices.Contains(fact.Params, i)
}

// RunsEach reports whether call hands the closure fn to a runner that
// calls it on each run of a loop: a visitor, once per key listed.
func (r *Result) RunsEach(call ssa.CallInstruction, fn *ssa.Function) bool {
	callee := call.Common().StaticCallee()
	if callee == nil {
		return false
	}
	obj, ok := origin(callee).Object().(*types.Func)
	if !ok {
		return false
	}
	each := r.each[obj]
	if i, ok := walkers[obj.FullName()]; ok {
		each = []int{i}
	} else if obj.Pkg() != r.pass.Pkg {
		var fact runsFact
		importHelperFact(r.pass, obj, &fact)
		each = fact.Each
	}
	args := call.Common().Args
	return slices.ContainsFunc(each, func(i int) bool {
		if i >= len(args) {
			return false
		}
		a := args[i]
		if ct, ok := a.(*ssa.ChangeType); ok {
			a = ct.X // fs.WalkDirFunc(visit)
		}
		return FuncValue(a) == fn
	})
}

// walkers are the standard library's walks of a file tree, with the
// index of the function they call once per file or directory.
var walkers = map[string]int{
	"io/fs.WalkDir":         2,
	"path/filepath.WalkDir": 1,
	"path/filepath.Walk":    1,
}

// RunSites returns the calls that run the closure fn: its own calls, and
// the calls of runners it is given to.
func (r *Result) RunSites(fn *ssa.Function) []ssa.CallInstruction {
	sites := slices.Clone(r.CallSites(fn))
	for _, call := range handedTo(fn) {
		callee := call.Call.StaticCallee()
		if j := slices.IndexFunc(call.Call.Args, func(a ssa.Value) bool {
			if ct, ok := a.(*ssa.ChangeType); ok {
				a = ct.X
			}
			mc, ok := a.(*ssa.MakeClosure)
			return ok && mc.Fn == fn
		}); callee != nil && j >= 0 && r.Runs(callee, j) {
			sites = append(sites, call)
		}
	}
	return sites
}

// CalledPerElementLater reports whether fn is handed to a function that
// makes a closure calling it on each run of a loop, to run after it
// returns: the function of a stream's Map(fn) stage, the sink of To(src,
// sink), a subscription's handler. It is called once per element that
// flows through. fn is a closure, or a function or method handed as a
// value (stream.To(windows, p.markProgress)).
func (r *Result) CalledPerElementLater(fn *ssa.Function) bool {
	calls := handedTo(fn)
	if fn.Parent() == nil {
		calls = r.valueUses()[fn]
	}
	for _, call := range calls {
		callee := call.Call.StaticCallee()
		if callee == nil {
			continue
		}
		obj, ok := origin(callee).Object().(*types.Func)
		if !ok {
			continue
		}
		later := r.later[obj]
		if obj.Pkg() != r.pass.Pkg {
			var fact runsFact
			importHelperFact(r.pass, obj, &fact)
			later = fact.Later
		}
		for i, a := range call.Call.Args {
			a = Unconverted(a) // stream.Sink[T](func(...) error {...})
			if slices.Contains(later, i) && (FuncValue(a) == fn || boundTo(a, fn)) {
				return true
			}
		}
	}
	return false
}

// valueUses returns, for each function and method of the package, the
// calls it is handed to as a value: itself, or a method value bound to
// a receiver.
func (r *Result) valueUses() map[*ssa.Function][]*ssa.Call {
	r.findValueUses.Do(func() {
		byObj := make(map[types.Object]*ssa.Function)
		for _, fn := range r.funcs {
			if fn.Parent() == nil && fn.Object() != nil {
				byObj[fn.Object()] = fn
			}
		}
		r.handedAsValue = make(map[*ssa.Function][]*ssa.Call)
		for _, caller := range r.funcs {
			for _, b := range caller.Blocks {
				for _, instr := range b.Instrs {
					call, ok := instr.(*ssa.Call)
					if !ok {
						continue
					}
					for _, a := range call.Call.Args {
						var fn *ssa.Function
						switch a := Unconverted(a).(type) {
						case *ssa.Function:
							fn = a
						case *ssa.MakeClosure:
							if bound, ok := a.Fn.(*ssa.Function); ok && bound.Synthetic != "" && bound.Object() != nil {
								fn = byObj[bound.Object()]
							}
						}
						if fn != nil && fn.Parent() == nil && !slices.Contains(r.handedAsValue[fn], call) {
							r.handedAsValue[fn] = append(r.handedAsValue[fn], call)
						}
					}
				}
			}
		}
	})
	return r.handedAsValue
}

// boundTo reports whether v is the method value of method fn, bound to a
// receiver: p.markProgress.
func boundTo(v ssa.Value, fn *ssa.Function) bool {
	mc, ok := v.(*ssa.MakeClosure)
	if !ok {
		return false
	}
	bound, ok := mc.Fn.(*ssa.Function)
	return ok && bound.Synthetic != "" && fn.Object() != nil && bound.Object() == fn.Object()
}
