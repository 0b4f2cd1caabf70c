package kvapi

// Optional settings are often held by pointer, WriteOpts{TTL:
// units.Ptr(45 * time.Second)}, and the pointer made by a helper of the
// team's own: func Ptr[T any](v T) *T { return &v }. What such a helper
// returns points to its argument, so the lifetime it is given is the one
// the adapter later reads through the pointer (*o.TTL), or through the
// helper that reads it with a default, Deref(o.Limit, 1000). The helpers
// often live in a package that does not use KV, so what they do travels
// as facts.

import (
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// pointerFact marks a function that returns the address of its only
// parameter's copy.
type pointerFact struct{}

func (*pointerFact) AFact()         {}
func (*pointerFact) String() string { return "address of its argument" }

// exportHelpers marks the package's small helpers that values pass
// through: those whose body is return &v, for v their only parameter
// (pointerFact), and those that return one of their arguments (a
// pickFact): Deref(p, def), whose every return gives *p or def, the
// pointer standing for what it points to, and choices (see picked).
func exportHelpers(pass *analysis.Pass) {
	for _, file := range pass.Files {
		for _, decl := range file.Decls {
			fd, ok := decl.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			fn, ok := pass.TypesInfo.Defs[fd.Name].(*types.Func)
			if !ok {
				continue
			}
			if derefsOr(pass.TypesInfo, fn, fd.Body) {
				pass.ExportObjectFact(fn, &pickFact{Params: []int{0, 1}})
				continue
			}
			if params := picked(pass.TypesInfo, fn, fd.Body); params != nil {
				pass.ExportObjectFact(fn, &pickFact{Params: params})
				continue
			}
			if results := countsDown(pass.TypesInfo, fd.Body); results != nil {
				pass.ExportObjectFact(fn, &countdownFact{Results: results})
				continue
			}
			if len(fd.Body.List) != 1 || fd.Type.Params.NumFields() != 1 {
				continue
			}
			ret, ok := fd.Body.List[0].(*ast.ReturnStmt)
			if !ok || len(ret.Results) != 1 {
				continue
			}
			addr, ok := ret.Results[0].(*ast.UnaryExpr)
			if !ok || addr.Op != token.AND {
				continue
			}
			id, ok := addr.X.(*ast.Ident)
			if !ok || fn.Signature().Params().Len() != 1 || pass.TypesInfo.Uses[id] != fn.Signature().Params().At(0) {
				continue
			}
			pass.ExportObjectFact(fn, new(pointerFact))
		}
	}
}

// derefsOr reports whether fn, of a pointer and a value of what it
// points to, returns only *p or the value.
func derefsOr(info *types.Info, fn *types.Func, body *ast.BlockStmt) bool {
	params, results := fn.Signature().Params(), fn.Signature().Results()
	if params.Len() != 2 || results.Len() != 1 {
		return false
	}
	ptr, ok := params.At(0).Type().(*types.Pointer)
	if !ok || !types.Identical(ptr.Elem(), params.At(1).Type()) {
		return false
	}
	p, def := params.At(0), params.At(1)
	found, other := false, false
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt:
			found = true
			if len(n.Results) != 1 {
				other = true
				return false
			}
			switch r := ast.Unparen(n.Results[0]).(type) {
			case *ast.StarExpr:
				if id, ok := ast.Unparen(r.X).(*ast.Ident); !ok || info.Uses[id] != p {
					other = true
				}
			case *ast.Ident:
				if info.Uses[r] != def {
					other = true
				}
			default:
				other = true
			}
		}
		return !other
	})
	return found && !other
}

// pointsToArg reports whether callee returns the address of what it is
// given (see pointerFact).
func (r *Result) pointsToArg(callee *ssa.Function) bool {
	return r.helperFact(callee, new(pointerFact))
}

// helperFact reports whether callee, or the generic function it is an
// instance of, has fact.
func (r *Result) helperFact(callee *ssa.Function, fact analysis.Fact) bool {
	if origin := callee.Origin(); origin != nil {
		callee = origin
	}
	fn, ok := callee.Object().(*types.Func)
	return ok && importHelperFact(r.pass, fn, fact)
}

// PointedTo returns what the pointer v points to, when that is one
// value: the argument of a pointer helper (units.Ptr(d) points to d), or
// what is stored once in the variable whose address v is (&ttl of ttl :=
// rec.TTL). It returns nil otherwise.
func (r *Result) PointedTo(v ssa.Value) ssa.Value {
	switch v := v.(type) {
	case *ssa.Call:
		if callee := v.Call.StaticCallee(); callee != nil && len(v.Call.Args) == 1 && r.pointsToArg(callee) {
			return v.Call.Args[0]
		}
	case *ssa.Alloc:
		if stored := r.storedInto(v); len(stored) == 1 {
			return stored[0]
		}
	}
	return nil
}
