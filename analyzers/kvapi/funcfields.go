package kvapi

// This file follows function-typed fields that another package fills:
//
//	type Deps struct {
//		Load func(ctx context.Context, key string) ([]byte, error)
//		Save func(ctx context.Context, key string, v []byte) error
//	}
//	deps := httpapi.Deps{Load: st.Get, Save: st.Put} // in main
//
// The package that calls s.d.Save does not see what main stores there.
// The package that stores it exports a FuncFieldsFact naming the
// function; the kvlint command gathers them from the whole program (see
// Interfaces.Discover), and a call through such a field is then a call of
// that function, with the struct that holds the field standing in for a
// method value's receiver: s.d.Load and s.d.Save touch one namespace.

import (
	"go/token"
	"go/types"
	"slices"
	"strings"

	"golang.org/x/tools/go/ssa"
)

// A FuncFieldsFact names the functions that a package's function stores
// in function-typed fields: field ID (see fieldID) to function key (see
// funcKey).
type FuncFieldsFact struct {
	Fields []FuncField
}

// A FuncField is one field and the KV function stored in it.
type FuncField struct {
	Field string // example.com/httpapi.Deps.Save
	Func  string // example.com/store.Store.Put
	// Ops are, for a closure, the operations it performs, which no
	// other fact can carry: a closure has no object to hang one on.
	Ops []WrappedOp
}

func (*FuncFieldsFact) AFact() {}

func (f *FuncFieldsFact) String() string {
	var parts []string
	for _, ff := range f.Fields {
		parts = append(parts, ff.Field+"="+ff.Func)
	}
	return "kv func fields: " + strings.Join(parts, "; ")
}

// findFuncFields exports, for each function of the package, the KV
// functions it stores in function-typed fields.
func (r *Result) findFuncFields() {
	for _, fn := range r.funcs {
		var fields []FuncField
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				st, ok := instr.(*ssa.Store)
				if !ok {
					continue
				}
				fa, ok := st.Addr.(*ssa.FieldAddr)
				if !ok {
					continue
				}
				if _, isFunc := st.Val.Type().Underlying().(*types.Signature); !isFunc || r.InTestFile(st.Pos()) {
					continue // a test wires fakes
				}
				var ff FuncField
				if obj, _ := storedFunc(st.Val); obj != nil && r.isKVFunc(obj) {
					ff = FuncField{Field: fieldID(fa), Func: funcKey(obj)}
				} else if anon := closureOf(st.Val); anon != nil {
					// kvops.Ops{Get: func(ctx context.Context, key string) (string, error) { ... }}
					if fact := r.summarise(anon, r.opsWithin(anon)); fact != nil {
						ff = FuncField{Field: fieldID(fa), Func: r.pass.Pkg.Path() + "." + anon.Name(), Ops: fact.Ops}
					}
				}
				if ff.Field != "" && ff.Func != "" && !slices.ContainsFunc(fields, ff.same) {
					fields = append(fields, ff)
				}
			}
		}
		if obj, ok := outermost(fn).Object().(*types.Func); ok && len(fields) > 0 {
			var fact FuncFieldsFact
			r.pass.ImportObjectFact(obj, &fact)
			for _, ff := range fields {
				if !slices.ContainsFunc(fact.Fields, ff.same) {
					fact.Fields = append(fact.Fields, ff)
				}
			}
			r.pass.ExportObjectFact(obj, &fact)
		}
	}
}

func (ff FuncField) same(other FuncField) bool {
	return ff.Field == other.Field && ff.Func == other.Func
}

// closureOf returns the function literal that a function value is.
func closureOf(v ssa.Value) *ssa.Function {
	for {
		ct, ok := v.(*ssa.ChangeType)
		if !ok {
			break
		}
		v = ct.X
	}
	switch v := v.(type) {
	case *ssa.MakeClosure:
		if fn, ok := v.Fn.(*ssa.Function); ok && fn.Synthetic == "" && fn.Parent() != nil {
			return fn
		}
	case *ssa.Function:
		if v.Synthetic == "" && v.Parent() != nil {
			return v
		}
	}
	return nil
}

// opsWithin returns the operations in fn and the closures it makes.
func (r *Result) opsWithin(fn *ssa.Function) []*Op {
	var ops []*Op
	for _, op := range r.Ops {
		for in := op.Call.Parent(); in != nil; in = in.Parent() {
			if in == fn {
				ops = append(ops, op)
				break
			}
		}
	}
	return ops
}

// storedFunc returns the function or method that a function value is: a
// function, or a method value (a bound closure), with the receiver it
// binds.
func storedFunc(v ssa.Value) (fn *types.Func, recv ssa.Value) {
	for {
		ct, ok := v.(*ssa.ChangeType) // to a named func type: type putFunc func(...)
		if !ok {
			break
		}
		v = ct.X
	}
	switch v := v.(type) {
	case *ssa.Function:
		obj, _ := v.Object().(*types.Func)
		return obj, nil
	case *ssa.MakeClosure:
		if bound, ok := v.Fn.(*ssa.Function); ok && bound.Synthetic != "" && len(v.Bindings) == 1 {
			if obj, ok := bound.Object().(*types.Func); ok && obj.Signature().Recv() != nil {
				return obj, v.Bindings[0]
			}
		}
	}
	return nil, nil
}

// isKVFunc reports whether a call of obj is a KV operation here.
func (r *Result) isKVFunc(obj *types.Func) bool {
	if Lookup(obj) != nil || r.ifaces.lookup(obj) != nil || r.ifaces.found[obj] != nil {
		return true
	}
	var fact WrapperFact
	return r.pass.ImportObjectFact(obj.Origin(), &fact)
}

// funcKey names a function or method across packages: PKG.NAME or
// PKG.TYPE.NAME.
func funcKey(fn *types.Func) string {
	if fn.Pkg() == nil {
		return ""
	}
	sig := fn.Signature()
	if sig.Recv() == nil {
		return fn.Pkg().Path() + "." + fn.Name()
	}
	t := sig.Recv().Type()
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	named, ok := types.Unalias(t).(*types.Named)
	if !ok {
		return ""
	}
	return fn.Pkg().Path() + "." + named.Obj().Name() + "." + fn.Name()
}

// resolveFunc finds the function that key names among pkgs and their
// imports.
func resolveFunc(pkgs []*types.Package, key string) *types.Func {
	seen := make(map[*types.Package]bool)
	var find func(pkg *types.Package) *types.Func
	find = func(pkg *types.Package) *types.Func {
		if seen[pkg] {
			return nil
		}
		seen[pkg] = true
		if rest, ok := strings.CutPrefix(key, pkg.Path()+"."); ok && !strings.Contains(rest, "/") {
			name, method, isMethod := strings.Cut(rest, ".")
			obj := pkg.Scope().Lookup(name)
			if !isMethod {
				fn, _ := obj.(*types.Func)
				return fn
			}
			if tn, ok := obj.(*types.TypeName); ok {
				t := tn.Type()
				if !types.IsInterface(t) {
					t = types.NewPointer(t) // a method with a pointer receiver
				}
				m, _, _ := types.LookupFieldOrMethod(t, true, pkg, method)
				fn, _ := m.(*types.Func)
				return fn
			}
		}
		for _, imp := range pkg.Imports() {
			if fn := find(imp); fn != nil {
				return fn
			}
		}
		return nil
	}
	for _, pkg := range pkgs {
		if fn := find(pkg); fn != nil {
			return fn
		}
	}
	return nil
}

// discoverFuncFields gathers the program's FuncFieldsFacts: a field that
// the program fills with exactly one KV function. It reports whether
// that is anything new.
func (c *Interfaces) discoverFuncFields(pkgs []*types.Package, facts []FuncFieldsFact, wrappers map[*types.Func][]WrappedOp) bool {
	stored := make(map[string][]string)
	closures := make(map[string][]WrappedOp)
	for _, f := range facts {
		for _, ff := range f.Fields {
			if !slices.Contains(stored[ff.Field], ff.Func) {
				stored[ff.Field] = append(stored[ff.Field], ff.Func)
			}
			if ff.Ops != nil {
				closures[ff.Func] = ff.Ops
			}
		}
	}
	if c.funcFields == nil {
		c.funcFields = make(map[string]*types.Func)
		c.fieldFuncs = make(map[*types.Func][]WrappedOp)
	}
	grew := false
	for field, funcs := range stored {
		if len(funcs) != 1 || c.funcFields[field] != nil {
			continue
		}
		if ops, ok := closures[funcs[0]]; ok {
			// A closure stands for itself: an object made for it, whose
			// operations are the closure's.
			path, name := funcs[0][:strings.LastIndex(funcs[0], ".")], funcs[0][strings.LastIndex(funcs[0], ".")+1:]
			fn := types.NewFunc(token.NoPos, types.NewPackage(path, path[strings.LastIndex(path, "/")+1:]), name, types.NewSignatureType(nil, nil, nil, nil, nil, false))
			c.funcFields[field] = fn
			c.fieldFuncs[fn] = ops
			grew = true
			continue
		}
		if fn := resolveFunc(pkgs, funcs[0]); fn != nil {
			c.funcFields[field] = fn
			// The package that calls through the field may not import the
			// function's: it learns the function's operations here.
			if ops, ok := wrappers[fn]; ok && c.found[fn] == nil {
				c.fieldFuncs[fn] = ops
			}
			grew = true
		}
	}
	return grew
}

// funcFieldCallee returns the function that a call through the loaded
// field holds, as the program wired it, and the arguments its parameters
// receive: the struct holding the field stands in for a method's
// receiver.
func (r *Result) funcFieldCallee(fa *ssa.FieldAddr, common *ssa.CallCommon) (*types.Func, []ssa.Value) {
	fn := r.ifaces.funcFields[fieldID(fa)]
	if fn == nil {
		return nil, nil
	}
	if fn.Signature().Recv() != nil {
		return fn, append([]ssa.Value{fa.X}, common.Args...)
	}
	return fn, common.Args
}
