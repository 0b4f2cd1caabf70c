package kvapi

// Generic helpers over plain numbers, Seconds[T ~int | ~int64 | ~float64],
// cannot know a unit: given a time.Duration, those that do not scale their
// argument work on its count of nanoseconds. The helper often lives in a
// package of its own whose bodies other packages do not see, so the
// finding travels as a fact.

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"
)

// rawCountFact marks a generic function whose type parameter admits only
// numbers, and which uses its argument's count as it is: it divides or
// multiplies by no constant of 1000 or more, and names nothing in package
// time.
type rawCountFact struct{}

func (*rawCountFact) AFact()         {}
func (*rawCountFact) String() string { return "raw count" }

// exportRawCounts marks the package's generic functions over numbers that
// do not scale their argument (see rawCountFact).
func exportRawCounts(pass *analysis.Pass) {
	if !strings.Contains(strings.Split(pass.Pkg.Path(), "/")[0], ".") && pass.Module == nil {
		return // the standard library
	}
	for _, file := range pass.Files {
		for _, decl := range file.Decls {
			fd, ok := decl.(*ast.FuncDecl)
			if !ok || fd.Body == nil || fd.Type.TypeParams == nil {
				continue
			}
			fn, ok := pass.TypesInfo.Defs[fd.Name].(*types.Func)
			if !ok || !numericTypeParam(fn.Signature()) || scales(pass.TypesInfo, fd.Body) {
				continue
			}
			pass.ExportObjectFact(fn, new(rawCountFact))
		}
	}
}

// numericTypeParam reports whether one of sig's parameters has a type
// parameter's type that admits only numbers.
func numericTypeParam(sig *types.Signature) bool {
	for i := range sig.Params().Len() {
		if tp, ok := types.Unalias(sig.Params().At(i).Type()).(*types.TypeParam); ok && NumbersOnly(tp.Constraint()) {
			return true
		}
	}
	return false
}

// scales reports whether body multiplies or divides by a constant of 1000
// or more, or names something of package time (time.Second).
func scales(info *types.Info, body *ast.BlockStmt) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.BinaryExpr:
			if n.Op == token.QUO || n.Op == token.MUL {
				for _, e := range []ast.Expr{n.X, n.Y} {
					if v := info.Types[e].Value; v != nil && constant.Compare(constant.ToFloat(absolute(v)), token.GEQ, constant.MakeInt64(1000)) {
						found = true
					}
				}
			}
		case *ast.SelectorExpr:
			if obj := info.Uses[n.Sel]; obj != nil && obj.Pkg() != nil && obj.Pkg().Path() == "time" {
				found = true
			}
		}
		return !found
	})
	return found
}

func absolute(v constant.Value) constant.Value {
	if constant.Sign(v) < 0 {
		return constant.UnaryOp(token.SUB, v, 0)
	}
	return v
}

// NumbersOnly reports whether the constraint admits only numeric types
// and asks for no methods: ~int | ~int64 | ~float64.
func NumbersOnly(constraint types.Type) bool {
	iface, ok := constraint.Underlying().(*types.Interface)
	if !ok || iface.NumMethods() > 0 || iface.NumEmbeddeds() == 0 {
		return false
	}
	for i := range iface.NumEmbeddeds() {
		switch t := iface.EmbeddedType(i).(type) {
		case *types.Union:
			for j := range t.Len() {
				if b, ok := t.Term(j).Type().Underlying().(*types.Basic); !ok || b.Info()&types.IsNumeric == 0 {
					return false
				}
			}
		default:
			if b, ok := t.Underlying().(*types.Basic); ok && b.Info()&types.IsNumeric != 0 {
				continue
			}
			if !NumbersOnly(t) {
				return false
			}
		}
	}
	return true
}

// RawCount reports whether fn, a generic function over numbers, uses its
// argument's count as it is (see rawCountFact).
func (r *Result) RawCount(fn *types.Func) bool {
	if fn.Origin() != nil {
		fn = fn.Origin()
	}
	return r.pass.ImportObjectFact(fn, new(rawCountFact))
}
