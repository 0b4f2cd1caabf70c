package kvapi

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/types/typeutil"
)

// A key builder of another package (keys.Views(writer, post), returning
// fmt.Sprintf("views:%s:%s", writer, post)) gives its callers' keys the
// text they are named by. Key builders often live in a package that uses
// no KV and is not built, so their text is taken from the syntax.

// A keyTextFact holds the string constants that a function's returns
// are built from.
type keyTextFact struct {
	Parts []string
}

func (*keyTextFact) AFact()         {}
func (*keyTextFact) String() string { return "kv key text" }

// exportKeyTexts exports a keyTextFact for each function of the package
// that other packages can call and that returns a string (or a string
// and an error) built from constants.
func exportKeyTexts(pass *analysis.Pass) {
	for decl, fn := range exportedDecls(pass) {
		if !returnsString(fn.Signature()) {
			continue
		}
		var parts []string
		ast.Inspect(decl.Body, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncLit:
				return false
			case *ast.ReturnStmt:
				if len(n.Results) == 0 {
					break
				}
				if buf := builtIn(pass.TypesInfo, n.Results[0]); buf != nil {
					parts = append(parts, writtenParts(pass.TypesInfo, decl.Body, buf)...)
					break
				}
				parts = append(parts, constantParts(pass.TypesInfo, n.Results[0])...)
			}
			return true
		})
		if len(parts) > 0 {
			pass.ExportObjectFact(fn, &keyTextFact{Parts: parts})
		}
	}
}

// builtIn returns the variable of the strings.Builder or bytes.Buffer
// whose String() e is: return b.String().
func builtIn(info *types.Info, e ast.Expr) types.Object {
	id := StringOf(e)
	if id == nil || info.Uses[id] == nil || !textBuffer(types.NewPointer(info.Uses[id].Type())) {
		return nil
	}
	return info.Uses[id]
}

// StringOf returns the name whose String method e calls, x of
// x.String(), or nil.
func StringOf(e ast.Expr) *ast.Ident {
	call, ok := ast.Unparen(e).(*ast.CallExpr)
	if !ok || len(call.Args) != 0 {
		return nil
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != "String" {
		return nil
	}
	id, _ := ast.Unparen(sel.X).(*ast.Ident)
	return id
}

// writtenParts returns the string constants written, in order, to the
// builder buf in body: by its Write methods and by fmt.Fprintf(&buf, ...).
func writtenParts(info *types.Info, body *ast.BlockStmt, buf types.Object) []string {
	is := func(e ast.Expr) bool {
		if u, ok := e.(*ast.UnaryExpr); ok && u.Op == token.AND {
			e = u.X
		}
		id, ok := ast.Unparen(e).(*ast.Ident)
		return ok && info.Uses[id] == buf
	}
	var parts []string
	ast.Inspect(body, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		switch fn := typeutil.Callee(info, call); {
		case fn != nil && fn.Pkg() != nil && fn.Pkg().Path() == "fmt" && fn.Name() == "Fprintf" && len(call.Args) > 1 && is(call.Args[0]):
			for _, a := range call.Args[1:] {
				parts = append(parts, constantParts(info, a)...)
			}
		case fn != nil && strings.HasPrefix(fn.Name(), "Write") && len(call.Args) == 1:
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || !is(sel.X) {
				return true
			}
			if tv := info.Types[call.Args[0]]; tv.Value != nil && tv.Value.Kind() == constant.Int {
				parts = append(parts, runeText(tv.Value)) // b.WriteByte('/')
				return true
			}
			parts = append(parts, constantParts(info, call.Args[0])...)
		}
		return true
	})
	return parts
}

// returnsString reports whether sig returns a string, or a string and an
// error.
func returnsString(sig *types.Signature) bool {
	res := sig.Results()
	if res.Len() == 0 || res.Len() > 2 || res.Len() == 2 && !isError(res.At(1).Type()) {
		return false
	}
	return basic(res.At(0).Type(), types.IsString)
}

// constantParts returns the string constants that e is built from by
// concatenation and by calls that keep their arguments (fmt.Sprintf,
// strings.Join), not by a digest of them.
func constantParts(info *types.Info, e ast.Expr) []string {
	if tv, ok := info.Types[e]; ok && tv.Value != nil {
		if tv.Value.Kind() == constant.String {
			return []string{constant.StringVal(tv.Value)}
		}
		return nil
	}
	switch e := ast.Unparen(e).(type) {
	case *ast.BinaryExpr:
		return append(constantParts(info, e.X), constantParts(info, e.Y)...)
	case *ast.CallExpr:
		callee, ok := typeutil.Callee(info, e).(*types.Func)
		if ok && !keeps(callee.FullName()) {
			return nil
		}
		name := ""
		if ok {
			name = callee.FullName()
		}
		var out []string
		if sel, ok := ast.Unparen(e.Fun).(*ast.SelectorExpr); ok && info.Selections[sel] != nil && info.Selections[sel].Kind() == types.MethodVal {
			out = constantParts(info, sel.X) // APIKey.With(id) of a typed prefix
		}
		for _, a := range keptArgs(name, e.Args) {
			out = append(out, constantParts(info, a)...)
		}
		return out
	case *ast.CompositeLit:
		var out []string
		for _, elt := range e.Elts {
			out = append(out, constantParts(info, elt)...)
		}
		return out
	}
	return nil
}

// keyText returns the string constants that fn, a function of another
// package, builds its result from.
func (r *Result) keyText(fn *types.Func) []string {
	var fact keyTextFact
	if fn.Pkg() == nil || fn.Pkg() == r.pass.Pkg || !r.pass.ImportObjectFact(fn.Origin(), &fact) {
		return nil
	}
	return fact.Parts
}

// keyTextNamed is keyText for a function named as a Term names it,
// PKG.NAME, of a package this one imports, directly or not.
func (r *Result) keyTextNamed(name string) []string {
	i := strings.LastIndex(name, ".")
	if i < 0 {
		return nil
	}
	member := name[i+1:]
	if recv, ok := strings.CutPrefix(name[:i], "("); ok {
		// A method: (PKG.TYPE).NAME or (*PKG.TYPE).NAME.
		recv = strings.TrimPrefix(strings.TrimSuffix(recv, ")"), "*")
		j := strings.LastIndex(recv, ".")
		if j < 0 {
			return nil
		}
		pkg := r.imported(recv[:j])
		if pkg == nil {
			return nil
		}
		tn, ok := pkg.Scope().Lookup(recv[j+1:]).(*types.TypeName)
		if !ok {
			return nil
		}
		obj, _, _ := types.LookupFieldOrMethod(types.NewPointer(tn.Type()), false, pkg, member)
		if fn, ok := obj.(*types.Func); ok {
			return r.keyText(fn)
		}
		return nil
	}
	pkg := r.imported(name[:i])
	if pkg == nil {
		return nil
	}
	fn, ok := pkg.Scope().Lookup(member).(*types.Func)
	if !ok {
		return nil
	}
	return r.keyText(fn)
}

// imported returns the package of path that this one imports, directly
// or not.
func (r *Result) imported(path string) *types.Package {
	if r.imports == nil {
		r.imports = make(map[string]*types.Package)
		var visit func(p *types.Package)
		visit = func(p *types.Package) {
			if r.imports[p.Path()] != nil {
				return
			}
			r.imports[p.Path()] = p
			for _, imp := range p.Imports() {
				visit(imp)
			}
		}
		visit(r.pass.Pkg)
	}
	return r.imports[path]
}
