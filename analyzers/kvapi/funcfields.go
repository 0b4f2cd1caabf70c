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
	"fmt"
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
	// Param, when not 0, says instead that the function this fact is on
	// stores its parameter Param-1 in Field, for its callers to resolve.
	Param int
}

func (*FuncFieldsFact) AFact() {}

func (f *FuncFieldsFact) String() string {
	var parts []string
	for _, ff := range f.Fields {
		parts = append(parts, ff.Field+"="+ff.Func)
	}
	return "kv func fields: " + strings.Join(parts, "; ")
}

// A FactoryFact marks a function that returns a closure doing KV work,
// storage.Putter(st) PutFunc: Ops are the closure's operations, over its
// own parameters and then the factory's. A factory of several closures,
// get, set := kvstore.Bind(ns, key), has each one's in Results instead.
type FactoryFact struct {
	Ops     []WrappedOp
	Results [][]WrappedOp
}

func (*FactoryFact) AFact()         {}
func (*FactoryFact) String() string { return "kv factory" }

// findFactories exports a FactoryFact for each function of the package
// whose every return gives the same closure, and that closure does KV work.
func (r *Result) findFactories() map[*ssa.Function][]WrappedOp {
	out := make(map[*ssa.Function][]WrappedOp)
	for _, fn := range r.funcs {
		results := fn.Signature.Results()
		if fn.Parent() != nil || results.Len() == 0 {
			continue
		}
		made := make([][]WrappedOp, results.Len())
		some := false
		for i := range results.Len() {
			if _, isFunc := results.At(i).Type().Underlying().(*types.Signature); !isFunc {
				continue
			}
			anon := returnedClosure(fn, i)
			if anon == nil {
				continue
			}
			c := &compiler{model: r, fn: anon, outer: fn}
			if fact := r.summariseIn(c, r.opsWithin(anon)); fact != nil {
				made[i], some = fact.Ops, true
			}
		}
		if !some {
			continue
		}
		fact := &FactoryFact{Results: made}
		if len(made) == 1 {
			out[fn] = made[0]
			fact = &FactoryFact{Ops: made[0]}
		}
		if obj, ok := fn.Object().(*types.Func); ok {
			r.pass.ExportObjectFact(obj, fact)
		}
	}
	return out
}

// factoriesGrew exports the FactoryFact of each factory of the package,
// so that calls of the closures it makes are operations (load, save :=
// s.slot(ctx, key); save(b, ttl)), and reports whether their closures
// have more operations than seen, the count it keeps.
func (r *Result) factoriesGrew(seen *int) bool {
	n := 0
	for _, op := range r.Ops {
		if handedBack(op.Call.Parent()) {
			n++
		}
	}
	if n == *seen {
		return false
	}
	*seen = n
	r.findFactories()
	return true
}

// returnedClosure returns the function literal that every return of fn
// gives as its result i, or nil.
func returnedClosure(fn *ssa.Function, i int) *ssa.Function {
	var anon *ssa.Function
	for _, b := range fn.Blocks {
		if ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return); ok {
			c := closureOf(ret.Results[i])
			if c == nil || anon != nil && c != anon {
				return nil
			}
			anon = c
		}
	}
	return anon
}

// factoryCall returns the call of a factory that v is the closure made
// by, and which of its results: kvstore.Putter(ns), or get of get, set
// := kvstore.Bind(ns, key).
func factoryCall(v ssa.Value) (*ssa.Call, int) {
	switch v := v.(type) {
	case *ssa.Call:
		return v, 0
	case *ssa.Extract:
		if call, ok := v.Tuple.(*ssa.Call); ok {
			return call, v.Index
		}
	}
	return nil, 0
}

// factoryMade returns a function standing for the closure that v, a call
// of a factory, returns, whose operations are the factory's FactoryFact
// (of this package's factories, see factoriesGrew); nil if v is no such
// call. Two calls of one factory stand for one function.
func (r *Result) factoryMade(v ssa.Value) *types.Func {
	call, _ := factoryCall(v)
	if call == nil || call.Call.StaticCallee() == nil {
		return nil
	}
	name, ops := r.madeBy(v, nil)
	if ops == nil {
		return nil
	}
	obj := call.Call.StaticCallee().Object().(*types.Func)
	name = name[strings.LastIndex(name, ".")+1:] // Bind()#1
	for made := range r.made {
		if made.Pkg() == obj.Pkg() && made.Name() == name {
			return made
		}
	}
	made := types.NewFunc(token.NoPos, obj.Pkg(), name, types.NewSignatureType(nil, nil, nil, nil, nil, false))
	if r.made == nil {
		r.made = make(map[*types.Func][]WrappedOp)
	}
	r.made[made] = ops
	return made
}

// madeBy returns the operations of the closure that v, a call of a
// factory, returns, and a name for it.
func (r *Result) madeBy(v ssa.Value, local map[*ssa.Function][]WrappedOp) (string, []WrappedOp) {
	call, result := factoryCall(v)
	if call == nil {
		return "", nil
	}
	callee := call.Call.StaticCallee()
	if callee == nil {
		return "", nil
	}
	obj, ok := callee.Object().(*types.Func)
	if !ok {
		return "", nil
	}
	if ops, ok := local[callee]; ok && result == 0 {
		return funcKey(obj) + "()", ops
	}
	var fact FactoryFact
	switch {
	case !r.pass.ImportObjectFact(obj.Origin(), &fact):
	case fact.Results == nil && result == 0:
		return funcKey(obj) + "()", fact.Ops
	case result < len(fact.Results) && fact.Results[result] != nil:
		return fmt.Sprintf("%s()#%d", funcKey(obj), result), fact.Results[result]
	}
	return "", nil
}

// findFuncFields exports, for each function of the package, the KV
// functions it stores in function-typed fields, directly or through a
// constructor of another package that stores its parameter there
// (NewManager(st, store.Putter(st)) with m.put = put).
func (r *Result) findFuncFields() {
	factories := r.findFactories()
	r.findFactoryCalls(factories)
	for _, fn := range r.funcs {
		var fields []FuncField
		add := func(ff FuncField) {
			if ff.Field != "" && (ff.Func != "" || ff.Param > 0) && !slices.ContainsFunc(fields, ff.same) {
				fields = append(fields, ff)
			}
		}
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if r.InTestFile(instr.Pos()) {
					continue // a test wires fakes
				}
				switch instr := instr.(type) {
				case *ssa.Store:
					fa, ok := instr.Addr.(*ssa.FieldAddr)
					if !ok {
						continue
					}
					if _, isFunc := instr.Val.Type().Underlying().(*types.Signature); !isFunc {
						continue
					}
					if p, ok := instr.Val.(*ssa.Parameter); ok && fn.Parent() == nil {
						// Filled by the callers: they say with what.
						add(FuncField{Field: fieldID(fa), Param: slices.Index(fn.Params, p) + 1})
						continue
					}
					add(r.funcField(fieldID(fa), instr.Val, factories))
				case *ssa.Call:
					callee := instr.Call.StaticCallee()
					if callee == nil || callee.Pkg == r.pkg {
						continue
					}
					obj, ok := callee.Object().(*types.Func)
					var fact FuncFieldsFact
					if !ok || !r.pass.ImportObjectFact(obj.Origin(), &fact) {
						continue
					}
					for _, ff := range fact.Fields {
						if ff.Param > 0 && ff.Param <= len(instr.Call.Args) {
							add(r.funcField(ff.Field, instr.Call.Args[ff.Param-1], factories))
						}
					}
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

// funcField returns the FuncField of field when v, the function value
// stored in it, does KV work: a KV function or method value, a closure,
// or what a factory returns (Projector{put: storage.Putter(st)}).
func (r *Result) funcField(field string, v ssa.Value, factories map[*ssa.Function][]WrappedOp) FuncField {
	if obj, _ := storedFunc(v); obj != nil && r.isKVFunc(obj) {
		return FuncField{Field: field, Func: funcKey(obj)}
	}
	if anon := closureOf(v); anon != nil {
		// kvops.Ops{Get: func(ctx context.Context, key string) (string, error) { ... }}
		if fact := r.summarise(anon, r.opsWithin(anon)); fact != nil {
			return FuncField{Field: field, Func: r.pass.Pkg.Path() + "." + anon.Name(), Ops: fact.Ops}
		}
	}
	if name, ops := r.madeBy(v, factories); ops != nil {
		return FuncField{Field: field, Func: name, Ops: r.closedOver(v, ops)}
	}
	return FuncField{}
}

// closedOver returns the operations of the closure that v, a call of a
// factory, returns, over the closure's own parameters only: a call
// through the field it is stored in gives no more. The factory's
// parameters, which follow the closure's in the Terms, become what this
// call passes for them where that is a constant (store.Writes(s,
// time.Hour)), and opaque otherwise.
func (r *Result) closedOver(v ssa.Value, ops []WrappedOp) []WrappedOp {
	call, _ := factoryCall(v)
	sig, ok := v.Type().Underlying().(*types.Signature)
	if call == nil || !ok {
		return ops
	}
	args := make([]*Term, sig.Params().Len())
	for i := range args {
		args[i] = &Term{Op: TermParam, Index: i}
	}
	c := &compiler{model: r, fn: call.Parent()}
	for _, a := range call.Call.Args {
		args = append(args, c.term(a, 0).Substitute(nil))
	}
	return closeOps(ops, args)
}

// ownOps returns ops, the operations of a closure with own parameters
// that a factory made, with the factory's parameters opaque: for a use of
// the closure that does not know the factory's call.
func ownOps(ops []WrappedOp, own int) []WrappedOp {
	args := make([]*Term, own)
	for i := range args {
		args[i] = &Term{Op: TermParam, Index: i}
	}
	return closeOps(ops, args)
}

func closeOps(ops []WrappedOp, args []*Term) []WrappedOp {
	out := make([]WrappedOp, len(ops))
	for i, w := range ops {
		out[i] = w.mapTerms(func(t *Term) *Term { return t.Substitute(args) })
	}
	return out
}

func (ff FuncField) same(other FuncField) bool {
	return ff.Field == other.Field && ff.Func == other.Func && ff.Param == other.Param
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

// handedBack reports whether fn is, or is inside, a closure that the
// function making it returns (a handler factory, a middleware): its
// operations run when a caller calls what it was given, not during the
// call that made it.
func handedBack(fn *ssa.Function) bool {
	for in := fn; in.Parent() != nil; in = in.Parent() {
		for _, b := range in.Parent().Blocks {
			ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
			if !ok {
				continue
			}
			for _, v := range ret.Results {
				if mi, ok := v.(*ssa.MakeInterface); ok {
					v = mi.X // http.Handler(http.HandlerFunc(func ...))
				}
				if closureOf(v) == in {
					return true
				}
			}
		}
	}
	return false
}

// opsWithin returns the operations in fn and the closures it makes.
func (r *Result) opsWithin(fn *ssa.Function) []*Op { return within(r.Ops, fn) }

// within returns the operations of ops in fn and the closures it makes.
func within(ops []*Op, fn *ssa.Function) []*Op {
	var out []*Op
	for _, op := range ops {
		for in := op.Call.Parent(); in != nil; in = in.Parent() {
			if in == fn {
				out = append(out, op)
				break
			}
		}
	}
	return out
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
	if Lookup(obj) != nil || r.ifaces.lookup(obj) != nil || r.ifaces.wrapped(obj) != nil {
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
			if ff.Param > 0 {
				continue // its callers' facts say what they store
			}
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

// InPortField reports whether fn is, or is inside, a closure that its
// maker stores in a function-typed field of a struct it returns: a port's
// Load, Save or Drop, filled by an adapter's constructor. What such a
// closure does is the call's that reaches it through the field. (A step
// of a saga handed to a runner is not a port's.)
func InPortField(fn *ssa.Function) bool {
	for in := fn; in.Parent() != nil; in = in.Parent() {
		parent := in.Parent()
		for _, b := range parent.Blocks {
			for _, instr := range b.Instrs {
				st, ok := instr.(*ssa.Store)
				if !ok {
					continue
				}
				fa, field := st.Addr.(*ssa.FieldAddr)
				if !field || !returns(parent, fa.X) {
					continue
				}
				if mc, ok := st.Val.(*ssa.MakeClosure); ok && mc.Fn == in || st.Val == in {
					return true
				}
			}
		}
	}
	return false
}

// returns reports whether fn returns the struct that addr holds, or addr
// itself.
func returns(fn *ssa.Function, addr ssa.Value) bool {
	for _, b := range fn.Blocks {
		ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
		if !ok {
			continue
		}
		for _, v := range ret.Results {
			if load, ok := v.(*ssa.UnOp); ok && load.Op == token.MUL {
				v = load.X
			}
			if v == addr {
				return true
			}
		}
	}
	return false
}

// findFactoryCalls keeps, beside the setters' calls (FieldSets), each call
// of a factory whose closure is handed on rather than called here:
// MakeMenu(cache, "menu:", 45*time.Second, ...) given to mux.HandleFunc.
// The closure's operations run later, out of sight, but the operands
// they take from the factory's parameters, a lifetime, are chosen at the
// call. Operands that come from the closure's own parameters are not
// known there.
func (r *Result) findFactoryCalls(local map[*ssa.Function][]WrappedOp) {
	for _, fn := range r.funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				call, ok := instr.(*ssa.Call)
				if !ok || r.InTestFile(call.Pos()) || calledOrKept(call) {
					continue
				}
				callee := call.Call.StaticCallee()
				if callee == nil || callee.Signature.Results().Len() != 1 {
					continue
				}
				made, ok := callee.Signature.Results().At(0).Type().Underlying().(*types.Signature)
				obj, isFunc := callee.Object().(*types.Func)
				if !ok || !isFunc {
					continue
				}
				ops := local[callee]
				if callee.Pkg != r.pkg {
					var fact FactoryFact
					if r.pass.ImportObjectFact(obj.Origin(), &fact) {
						ops = fact.Ops
					}
				}
				for _, w := range ops {
					if bound, ok := boundByFactory(w, made.Params().Len()); ok {
						m := &Method{Pkg: obj.Pkg().Path(), Name: obj.Name(), Role: w.Role}
						r.FieldSets = append(r.FieldSets, &Op{Method: m, Call: call, Args: call.Call.Args, Expr: r.CallExpr(call.Pos()), Wrapper: obj, Wrapped: &bound, model: r})
					}
				}
			}
		}
	}
}

// calledOrKept reports whether what call returns is called where it is
// made or kept in a field or variable for later calls: those calls are
// the operations.
func calledOrKept(call *ssa.Call) bool {
	for _, ref := range *call.Referrers() {
		switch ref := ref.(type) {
		case ssa.CallInstruction:
			if ref.Common().Value == call {
				return true
			}
		case *ssa.Store:
			return true
		}
	}
	return false
}

// boundByFactory returns w, an operation of a factory's closure over the
// closure's n parameters and then the factory's, over the factory's
// alone, with the closure's unknown; ok is false when no operand depends
// on what the factory is given.
func boundByFactory(w WrappedOp, n int) (WrappedOp, bool) {
	args := make([]*Term, n) // the closure's own: unknown at the call
	for i := range args {
		args[i] = opaque
	}
	bound := WrappedOp{Role: w.Role, Method: w.Method, Field: "the closure it returns"}
	given := false
	for _, ot := range w.Operands {
		out := OperandTerms{Operand: ot.Operand, Duration: ot.Duration}
		for _, t := range ot.Terms {
			shifted := t.Substitute(append(slices.Clone(args), factoryParams(t, n)...))
			given = given || shifted.Params()
			out.Terms = append(out.Terms, shifted)
		}
		bound.Operands = append(bound.Operands, out)
	}
	return bound, given
}

// factoryParams returns the Terms that the factory's parameters, numbered
// from n in t, take at its call: its arguments, from 0.
func factoryParams(t *Term, n int) []*Term {
	most := -1
	t.Find(func(s *Term) bool {
		if s.Op == TermParam && s.Index > most {
			most = s.Index
		}
		return false
	})
	var out []*Term
	for i := n; i <= most; i++ {
		out = append(out, &Term{Op: TermParam, Index: i - n})
	}
	return out
}
