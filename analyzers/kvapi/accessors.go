package kvapi

import (
	"go/token"
	"go/types"
	"slices"
	"strings"

	"golang.org/x/tools/go/ssa"
)

// An accessor is a method given nothing but its receiver that returns
// what a field of it holds, directly or through another accessor:
// func (s *Store) NS() *kv.Namespace { return s.ns }. A put made on
// s.content.NS() and a get of the Store's own wrapper then use one
// namespace, the same field of the same Store. An accessor may hand out
// several fields at once: api, rc, ns := s.API().

// An accessorFact holds, for each result of a method of another package,
// the fields it returns, outermost first (nil for a result that is no
// field): [[ns]] for NS above, [[game ns]] for
// func (s *Server) raw() *kv.Namespace { return s.game.NS() }.
type accessorFact struct {
	Paths [][]string
}

func (*accessorFact) AFact() {}

func (f *accessorFact) String() string {
	var paths []string
	for _, p := range f.Paths {
		paths = append(paths, strings.Join(p, "."))
	}
	return "kv accessor: " + strings.Join(paths, ", ")
}

// exportAccessors exports an accessorFact for each of the package's
// accessors.
func (r *Result) exportAccessors() {
	for _, fn := range r.funcs {
		obj, ok := fn.Object().(*types.Func)
		if !ok || fn.Parent() != nil {
			continue
		}
		if paths := r.accessorPaths(fn); paths != nil {
			r.pass.ExportObjectFact(obj, &accessorFact{Paths: paths})
		}
	}
}

// accessed returns, for a call of an accessor, the receiver it is given
// and the fields its result number i returns.
func (r *Result) accessed(call *ssa.Call, i int) (ssa.Value, []string) {
	callee := call.Call.StaticCallee()
	if callee == nil || callee.Signature.Recv() == nil || len(call.Call.Args) != 1 {
		return nil, nil
	}
	if paths := r.accessorPaths(callee); i < len(paths) && paths[i] != nil {
		return call.Call.Args[0], paths[i]
	}
	return nil, nil
}

// accessorPath returns the fields that fn, an accessor of one result,
// returns, or nil.
func (r *Result) accessorPath(fn *ssa.Function) []string {
	if paths := r.accessorPaths(fn); len(paths) == 1 {
		return paths[0]
	}
	return nil
}

// accessorPaths returns, for each result of fn, the fields it returns on
// every path (nil for a result that is no field), or nil when fn is no
// accessor.
func (r *Result) accessorPaths(fn *ssa.Function) [][]string {
	if fn.Origin() != nil {
		fn = fn.Origin()
	}
	if fn.Signature.Recv() == nil || fn.Signature.Params().Len() != 0 || fn.Signature.Results().Len() == 0 {
		return nil
	}
	if fn.Pkg != r.pkg || fn.Blocks == nil {
		var fact accessorFact
		if obj, ok := fn.Object().(*types.Func); ok && r.pass.ImportObjectFact(obj, &fact) {
			return fact.Paths
		}
		return nil
	}
	if paths, ok := r.accessors[fn]; ok {
		return paths
	}
	if r.accessors == nil {
		r.accessors = make(map[*ssa.Function][][]string)
	}
	r.accessors[fn] = nil // while it is followed: recursion knows nothing
	n := fn.Signature.Results().Len()
	paths, found := make([][]string, n), make([]bool, n)
	returned := false
	for _, b := range fn.Blocks {
		ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
		if !ok {
			continue
		}
		for i, res := range ret.Results {
			p := r.fieldPath(res, fn.Params[0], 0)
			if returned && (found[i] != (p != nil) || strings.Join(p, ".") != strings.Join(paths[i], ".")) {
				p = nil // differs between paths: no one field
			}
			paths[i], found[i] = p, p != nil
		}
		returned = true
	}
	if !slices.Contains(found, true) {
		paths = nil
	}
	r.accessors[fn] = paths
	return paths
}

// fieldPath returns the fields of recv that v is read from, outermost
// first, or nil.
func (r *Result) fieldPath(v, recv ssa.Value, depth int) []string {
	if depth > maxDepth {
		return nil
	}
	var x ssa.Value
	var name string
	switch v := v.(type) {
	case *ssa.UnOp:
		fa, ok := v.X.(*ssa.FieldAddr)
		if !ok || v.Op != token.MUL {
			return nil
		}
		x, name = fa.X, fieldName(fa.X.Type(), fa.Field)
	case *ssa.Field:
		x, name = v.X, fieldName(v.X.Type(), v.Field)
	case *ssa.Call:
		inner, path := r.accessed(v, 0)
		if path == nil {
			return nil
		}
		if inner == recv {
			return path
		}
		if outer := r.fieldPath(inner, recv, depth+1); outer != nil {
			return append(outer, path...)
		}
		return nil
	default:
		return nil
	}
	if storedOnce(x) == recv {
		x = recv // a value receiver, spilled to a local to read a field of it
	}
	if x == recv {
		return []string{name}
	}
	if outer := r.fieldPath(x, recv, depth+1); outer != nil {
		return append(outer, name)
	}
	return nil
}

// An openerFact holds the Term of what a method of another package
// returns when all it does is open a Workers KV binding by name: func (b
// *Bucket) Namespace() *kv.Namespace, which calls
// cloudflare.NewKVNamespace(b.binding). A get on b.Namespace() and a put
// through b's own wrapper then use one namespace.
type openerFact struct {
	Term *Term
}

func (*openerFact) AFact() {}

func (f *openerFact) String() string { return "kv opener: " + f.Term.String() }

// exportOpeners exports an openerFact for each of the package's functions
// that only open a binding.
func (r *Result) exportOpeners() {
	for _, fn := range r.funcs {
		obj, ok := fn.Object().(*types.Func)
		if !ok || fn.Parent() != nil || !opensNamespaceOnly(fn) {
			continue
		}
		if t := r.returnTerm(fn); t != nil {
			r.pass.ExportObjectFact(obj, &openerFact{Term: t})
		}
	}
}

// openerTerm returns the Term of what fn, a function of another package,
// returns when it only opens a binding, over its parameters; or nil.
func (r *Result) openerTerm(fn *ssa.Function) *Term {
	if fn.Pkg == r.pkg {
		return nil // (returnTerm's)
	}
	var fact openerFact
	if obj, ok := fn.Object().(*types.Func); ok && r.pass.ImportObjectFact(obj, &fact) {
		return fact.Term
	}
	return nil
}
