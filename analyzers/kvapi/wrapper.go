package kvapi

import (
	"fmt"
	"go/constant"
	"go/token"
	"go/types"
	"slices"
	"sort"
	"strings"

	"golang.org/x/tools/go/ssa"
)

// A WrapperFact marks a function that performs KV operations on behalf of
// its callers: an operand of an operation inside it (its key, value, TTL,
// namespace) comes from the function's parameters, or a value read from KV
// is among its results. Calls of the function are then KV operations
// themselves, in any package that imports it, and the facts compose: a
// wrapper of a wrapper is a wrapper.
type WrapperFact struct {
	Ops []WrappedOp
}

// A WrappedOp is one KV operation inside a wrapper, as its callers see it.
type WrappedOp struct {
	Role     Role
	Method   string         // the SDK method it comes down to, as in "(kv.Namespace).PutString"
	Operands []OperandTerms // how each operand follows from the parameters
	Conds    []Cond         // what the parameters must satisfy for the operation to run
	Results  []int          // for a get, the wrapper's results that carry the value read
	Out      []int          // for a get, the parameters it decodes the value into: GetJSON(key, &v)
	// Handed lists, for a get, the function parameters the wrapper calls
	// with the value read: GetAsync(ctx, key, cb) runs cb(n.Get(ctx,
	// key)), so what cb is given is what its caller reads.
	Handed []Handoff
	// Missing is, for a get, the text in which Results hand back a
	// missing key, when the wrapper passes on the SDK's value unchecked
	// (see Op.MissingText).
	Missing string
	// MissError is set, for a get, when the wrapper hands a missing key
	// back as an error: cloudflare-go's not-found passed on without a
	// look, or "<null>" turned into an error of its own. A caller's test
	// of the value for emptiness is then no miss check. (Not in String:
	// it says nothing of the operands.)
	MissError bool
	// AnswersMiss is set, for a get, when the wrapper answers a missing
	// key itself, with an empty value and a nil error (return nil, nil):
	// the errors it hands back are other failures. (Not in String either.)
	AnswersMiss bool
	// ErrorsAsMiss is set, for a get, when the wrapper answers every
	// failure of its get, not only a missing key, with a nil error: a
	// timeout reads to its callers as an empty record. (Not in String
	// either.)
	ErrorsAsMiss bool
	// Fill is set, for a put, when it runs only after a get in the wrapper
	// missed: a read-through cache's fill. (Not in String either.)
	Fill bool
	// ViaPort is set for an operation reached through a storage port: a
	// decorator's, which adds nothing to what the port's real
	// implementation does (see Interfaces.Discover).
	ViaPort bool
	// InField is set for an operation of a closure that the wrapper
	// stores in a function-typed field (a port's Save): it runs when the
	// field is called, not when the wrapper is. Its operands are checked
	// where the wrapper is given them, as a constructor's lifetime is.
	// (Not in String either.)
	InField bool
	// Collapses is set for a write a unit of work buffers by its key
	// (see findBuffers): a later write of the same key replaces it
	// before anything reaches KV. (Not in String either.)
	Collapses bool
	// FailsAfter is set for a write after which the wrapper always hands
	// back an error of its own making: a backoff marker written on the
	// way out of a failure. (Not in String either.)
	FailsAfter bool
	// Field is set for a setter (see findSetters): the call performs no
	// operation, but stores an operand in this field, Repo.ttl, for a
	// later one.
	Field string
	// ChunkParam is, for a bulk operation given chunks of a slice
	// (for c := range slices.Chunk(pairs, size)), one more than the index
	// of the parameter that gives the chunk size, or 0: the size is then
	// the caller's to get right. (Not in String either.)
	ChunkParam int
}

// OperandTerms are the Terms an operand may take. (Facts hold no maps:
// their encoding must be deterministic.)
type OperandTerms struct {
	Operand  Operand
	Terms    []*Term
	Duration bool // see Source.Duration
}

// KeyGiven reports whether the wrapper's key is always one of its
// parameters, passed whole or only escaped for a URL: take(ctx, s, key).
func (w *WrappedOp) KeyGiven() bool {
	terms := w.operand(Key).Terms
	for _, t := range terms {
		for t.Op == TermCall && escapeFuncs[t.Name] != nil && len(t.Args) == 1 {
			t = t.Args[0]
		}
		if t.Op != TermParam {
			return false
		}
	}
	return len(terms) > 0
}

// KeyEachElement reports whether the wrapper's key is always an element
// of a slice parameter that it goes through: GetMany(ctx, keys).
func (w *WrappedOp) KeyEachElement() bool {
	terms := w.operand(Key).Terms
	return len(terms) > 0 && !slices.ContainsFunc(terms, func(t *Term) bool {
		_, ok := elemsOfParam(t)
		return !ok
	})
}

// KeyChosenInside reports whether the wrapper's key is always a field of
// a record it found, not one its caller gives: an executor that runs the
// operations queued in a batch (op.Key for each op of u.Ops()).
func (w *WrappedOp) KeyChosenInside() bool {
	terms := w.operand(Key).Terms
	return len(terms) > 0 && !slices.ContainsFunc(terms, func(t *Term) bool {
		return t.Op != TermField || len(t.Args) != 1 || t.Args[0].Op != TermOpaque
	})
}

func (w *WrappedOp) operand(o Operand) OperandTerms {
	for _, ot := range w.Operands {
		if ot.Operand == o {
			return ot
		}
	}
	return OperandTerms{}
}

func (*WrapperFact) AFact() {}

func (f *WrapperFact) String() string {
	var ops []string
	for _, op := range f.Ops {
		ops = append(ops, op.String())
	}
	return "kv wrapper: " + strings.Join(ops, "; ")
}

// String renders the Terms, as in a fact, "" for none.
func (ot OperandTerms) String() string {
	var terms []string
	for _, t := range ot.Terms {
		terms = append(terms, t.String())
	}
	return strings.Join(terms, " | ")
}

func (w *WrappedOp) String() string {
	var parts []string
	for _, ot := range w.Operands {
		for _, t := range ot.Terms {
			parts = append(parts, ot.Operand.String()+"="+t.String())
		}
	}
	if len(w.Results) > 0 {
		parts = append(parts, fmt.Sprintf("results=%v", w.Results))
	}
	if len(w.Out) > 0 {
		parts = append(parts, fmt.Sprintf("out=%v", w.Out))
	}
	if len(w.Handed) > 0 {
		parts = append(parts, fmt.Sprintf("handed=%v", w.Handed))
	}
	if w.Missing != "" {
		parts = append(parts, fmt.Sprintf("missing=%q", w.Missing))
	}
	if w.Field != "" {
		return "sets " + w.Field + " for " + w.Role.String() + "(" + strings.Join(parts, ", ") + ")"
	}
	return w.Role.String() + "(" + strings.Join(parts, ", ") + ")"
}

// usesKVFact marks a package that uses KV, directly or through the
// wrappers of a package it imports: only such packages are analysed.
type usesKVFact struct{}

func (*usesKVFact) AFact()         {}
func (*usesKVFact) String() string { return "uses KV" }

// maxRounds bounds the rounds in which wrappers of wrappers of the same
// package are discovered.
const maxRounds = 4

// findOps finds the package's KV operations: calls of the SDK catalog's
// methods and of wrappers, from other packages' facts and from this
// package's own functions, which it summarises and exports as facts.
func (r *Result) findOps() {
	r.exportClamps()
	summarised := make(map[*types.Func]int)
	made := 0
	for round := 0; round < maxRounds; round++ {
		r.Ops = r.scanCalls()
		summarisedMore := r.summariseAll(summarised)
		madeMore := r.factoriesGrew(&made)
		if !r.findBuffers() && !summarisedMore && !madeMore {
			break
		}
	}
	// A setter's calls are operations once it is found, and one may pass
	// a field on to another setter of the same package (WithTTL(c.cfg.TTL)),
	// or a parameter, which makes its function a setter too
	// (func (e Entry) TTL(d time.Duration) Entry { return e.with(WithTTL(d)) }):
	// setters are found until no new call turns up.
	var all []*Op
	for round := 0; ; round++ {
		r.findSetters()
		all = r.scanCalls()
		if len(all) == len(r.Ops) || round == maxRounds {
			break
		}
		r.Ops = all
		r.summariseAll(summarised)
	}
	// Calls of setters give operands to later operations; they are kept
	// apart from the operations themselves.
	r.Ops = nil
	for _, op := range all {
		if op.Wrapped != nil && op.Wrapped.Field != "" {
			r.FieldSets = append(r.FieldSets, op)
		} else {
			r.Ops = append(r.Ops, op)
		}
	}
}

// summariseAll exports the WrapperFact of each function of the package
// that wraps one of r.Ops and was not summarised yet, or was summarised
// with fewer (a call of a wrapper whose own summary came a round later),
// kept with the setter's operations findSetters gave it, if any; it
// reports whether it found one. summarised counts each function's
// operations when it was summarised.
func (r *Result) summariseAll(summarised map[*types.Func]int) bool {
	byFunc := make(map[*ssa.Function][]*Op)
	for _, op := range r.Ops {
		// An operation in a closure is its enclosing function's, unless
		// that function hands the closure back (a factory's is the
		// closure's; see findFactories).
		if handedBack(op.Call.Parent()) {
			continue
		}
		fn := outermost(op.Call.Parent())
		byFunc[fn] = append(byFunc[fn], op)
	}
	changed := false
	for _, fn := range r.funcs {
		obj, ok := fn.Object().(*types.Func)
		if n, done := summarised[obj]; !ok || fn.Parent() != nil || done && n >= len(byFunc[fn]) {
			continue
		}
		if fact := r.summarise(fn, byFunc[fn]); fact != nil {
			var setter WrapperFact
			if r.pass.ImportObjectFact(obj, &setter) {
				for _, w := range setter.Ops {
					if w.Field == "" && summarised[obj] > 0 {
						continue // this function's own earlier summary
					}
					if !slices.ContainsFunc(fact.Ops, func(x WrappedOp) bool { return sameOp(x, w) }) {
						fact.Ops = append(fact.Ops, w)
					}
				}
			}
			r.pass.ExportObjectFact(obj, fact)
			summarised[obj] = max(len(byFunc[fn]), 1)
			changed = true
		}
	}
	return changed
}

// scanCalls returns every call of a KV operation in the package: of an
// SDK method in the catalog, of a wrapper (from its fact), or of an
// interface method, configured or found to be KV (see Interfaces), however
// the callee is reached (see callee).
func (r *Result) scanCalls() []*Op {
	if r.rest == nil {
		r.rest = r.restOps()
	}
	var ops []*Op
	type portClosure struct {
		call ssa.CallInstruction
		anon *ssa.Function
	}
	var behind []portClosure // calls of a port held as a closure, see closureBehind
	for _, fn := range r.funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				call, ok := instr.(ssa.CallInstruction)
				if !ok {
					continue
				}
				ops = append(ops, r.rest[call]...)
				if typed, ok := r.funcTypeOps(call); ok {
					ops = append(ops, typed...)
					continue
				}
				if anon := r.closureBehind(call); anon != nil {
					behind = append(behind, portClosure{call, anon})
					continue
				}
				obj, args := r.dispatched(call.Common())
				engine := obj != nil
				if !engine {
					obj, args = r.calledDirectly(call)
				}
				if obj == nil {
					continue
				}
				ops = append(ops, r.givenOps(call, obj, args)...)
				op := func(m *Method, w *WrappedOp) *Op {
					return &Op{Method: m, Call: call, Args: args, Expr: r.CallExpr(call.Pos()), Wrapped: w, dispatched: engine, model: r}
				}
				if m := r.ifaces.lookup(obj); m != nil {
					if !r.onFake(args, nil) {
						o := op(m, nil)
						o.viaPort = true
						ops = append(ops, o)
					}
					continue
				}
				if m := Lookup(obj); m != nil {
					ops = append(ops, op(m, nil))
					continue
				}
				wrapped := r.ifaces.wrapped(obj)
				if wrapped == nil {
					wrapped = r.ifaces.fieldFuncs[obj]
				}
				if wrapped == nil {
					wrapped = r.made[obj]
				}
				var fact WrapperFact
				if wrapped == nil && r.pass.ImportObjectFact(obj.Origin(), &fact) {
					wrapped = fact.Ops
				}
				for i := range wrapped {
					w := &wrapped[i]
					if r.onFake(args, w) || w.Field != "" && (r.givenFake(args) || r.clampedBy(call, w.Field) || r.optionForFake(call)) {
						continue
					}
					o := op(&Method{Pkg: obj.Pkg().Path(), Name: obj.Name(), Role: w.Role}, w)
					o.Wrapper = obj
					o.viaPort = r.ifaces.wrapped(obj) != nil
					ops = append(ops, o)
				}
			}
		}
	}
	// What the closure does, the call does: its operations, summarised
	// over its parameters, which the call's arguments fill.
	for _, pc := range behind {
		call, anon := pc.call, pc.anon
		fact := r.summarise(anon, within(ops, anon))
		if fact == nil {
			continue
		}
		for i := range fact.Ops {
			w := &fact.Ops[i]
			ops = append(ops, &Op{Method: &Method{Pkg: r.pkg.Pkg.Path(), Name: anon.Name(), Role: w.Role}, Call: call, Args: call.Common().Args, Expr: r.CallExpr(call.Pos()), Wrapped: w, model: r})
		}
	}
	return ops
}

// funcTypeOps returns the operations of a call of a value of a named
// function type whose values in the program are KV wrappers (see
// Interfaces.funcTypes), or of a method of that type with the type's own
// parameters (exec.Do(ctx, op), which calls exec(ctx, op)). Each of the
// executor's operations runs only for some arguments (a switch on
// op.Kind), and is the call's only when its arguments are known to choose
// it. ok is false when the call is of no such type.
func (r *Result) funcTypeOps(call ssa.CallInstruction) (ops []*Op, ok bool) {
	if len(r.ifaces.funcTypes) == 0 {
		return nil, false
	}
	common := call.Common()
	if common.IsInvoke() {
		return nil, false
	}
	value, args := common.Value, common.Args
	named, isNamed := types.Unalias(value.Type()).(*types.Named)
	if callee := common.StaticCallee(); callee != nil {
		recv := callee.Signature.Recv()
		if recv == nil || len(common.Args) == 0 {
			return nil, false
		}
		named, isNamed = types.Unalias(recv.Type()).(*types.Named)
		if !isNamed {
			return nil, false
		}
		sig, isSig := named.Underlying().(*types.Signature)
		if !isSig || !types.Identical(sig.Params(), callee.Signature.Params()) {
			return nil, false
		}
		value, args = common.Args[0], common.Args[1:]
	}
	if !isNamed {
		return nil, false
	}
	typed, found := r.ifaces.funcTypes[types.TypeString(named, nil)]
	if !found {
		return nil, false
	}
	for i := range typed {
		fo := &typed[i]
		callArgs := args
		if !fo.factory && fo.fn.Signature().Recv() != nil {
			callArgs = append([]ssa.Value{value}, args...) // the method value's receiver, unknown here
		}
		if len(fo.op.Conds) == 0 || !r.condsChoose(fo.op.Conds, callArgs) {
			continue // an interceptor that hands any op on runs none of its own
		}
		ops = append(ops, &Op{Method: &Method{Pkg: named.Obj().Pkg().Path(), Name: named.Obj().Name(), Role: fo.op.Role}, Call: call, Args: callArgs,
			Expr: r.CallExpr(call.Pos()), Wrapped: &fo.op, Wrapper: fo.fn, viaPort: true, executor: value, model: r})
	}
	return ops, true
}

// closureBehind returns the closure that an interface method's call
// reaches when the interface is a field that the package sets only to
// that closure, converted to a function type that implements the
// interface: f.banner.Get(ctx, key) with banner set to
// storage.GetterFunc(func(ctx, key) { ... ns.GetString(key) ... }).
func (r *Result) closureBehind(call ssa.CallInstruction) *ssa.Function {
	common := call.Common()
	if !common.IsInvoke() {
		// var deleteValue = func(ns *kv.Namespace, key string) error {...}
		anon, _ := r.swappable(common.Value).(*ssa.Function)
		if anon == nil || anon.Object() != nil {
			return nil
		}
		return anon
	}
	load, ok := common.Value.(*ssa.UnOp)
	if !ok || load.Op != token.MUL {
		return nil
	}
	fa, ok := load.X.(*ssa.FieldAddr)
	if !ok {
		return nil
	}
	v := r.onlyStored(FieldOf(fa))
	mi, ok := v.(*ssa.MakeInterface)
	if !ok {
		return nil
	}
	named, ok := types.Unalias(mi.X.Type()).(*types.Named)
	if !ok {
		return nil
	}
	if !servesAs(named, common.Method) {
		return nil
	}
	return closureOf(mi.X)
}

// callee returns the function or method that call reaches, when that is
// known, and the arguments its parameters receive, the receiver first:
// a static call, an interface method's invocation (whose implementations
// Interfaces may know), a method value, put := s.Put, whose receiver the
// closure binds, and a function-typed struct field that the package only
// ever sets to one function: s.update = client.KV.Namespaces.Values.Update.
func (r *Result) callee(call ssa.CallInstruction) (*types.Func, []ssa.Value) {
	if obj, args := r.dispatched(call.Common()); obj != nil {
		return obj, args
	}
	return r.calledDirectly(call)
}

// calledDirectly is callee for a call that no engine dispatches.
func (r *Result) calledDirectly(call ssa.CallInstruction) (*types.Func, []ssa.Value) {
	common := call.Common()
	if common.IsInvoke() {
		if m := r.boundMethod(common); m != nil {
			return m, append([]ssa.Value{common.Value}, common.Args...)
		}
		return common.Method, append([]ssa.Value{common.Value}, common.Args...)
	}
	fn := common.Value
	if swapped := r.swappable(fn); swapped != nil {
		fn = swapped // var putValue = realPut; putValue(ns, key, v)
	}
	if load, ok := fn.(*ssa.UnOp); ok && load.Op == token.MUL {
		if fa, ok := load.X.(*ssa.FieldAddr); ok {
			fn = r.onlyStored(FieldOf(fa))
			if obj, _ := storedFunc(fn); obj == nil {
				if made := r.factoryMade(fn); made != nil {
					return made, madeArgs(common, fn) // get: storage.Getter(st), here
				}
				// Set in another package, or to what a factory of this
				// package returns: as the program wired it.
				if obj, args := r.funcFieldCallee(fa, common); obj != nil {
					return obj, args
				}
				return r.portFunc(common)
			}
		}
	}
	if fv := capturedVar(fn); fv != nil {
		// A closure the function captured: set, of _, set := Bind(ns, key)
		// in the function that made it.
		bound := Binding(fv)
		if alloc, variable := bound.(*ssa.Alloc); variable {
			bound = setOnce(alloc) // set once, where it is declared
		}
		if bound != nil {
			fn = bound
		}
	}
	obj, recv := storedFunc(fn)
	switch {
	case obj == nil:
		if made := r.factoryMade(fn); made != nil {
			return made, madeArgs(common, fn) // get, set := kvstore.Bind(ns, key); get()
		}
		return r.portFunc(common)
	case recv != nil:
		return obj, append([]ssa.Value{recv}, common.Args...) // a method value binds its receiver
	}
	return obj, common.Args
}

// dispatched returns the function that a call of a library runs by
// reflection with the arguments that follow it, and those arguments:
// workflow.ExecuteActivity(ctx, a.StartCooldown, id, window) runs
// a.StartCooldown(ctx, id, window), the framework giving the context.
// The arguments must be a literal list that fills the function's
// parameters, after a leading context.Context.
func (r *Result) dispatched(common *ssa.CallCommon) (*types.Func, []ssa.Value) {
	lib := common.StaticCallee()
	sig := common.Signature()
	if lib == nil || lib.Pkg == nil || lib.Pkg == r.pkg || !sig.Variadic() || len(common.Args) < 2 {
		return nil, nil
	}
	rest := common.Args[len(common.Args)-1]
	if elem := sig.Params().At(sig.Params().Len() - 1).Type().(*types.Slice).Elem(); !types.IsInterface(elem) {
		return nil, nil
	}
	var obj *types.Func
	var recv ssa.Value
	for _, a := range common.Args[:len(common.Args)-1] {
		if mi, ok := a.(*ssa.MakeInterface); ok {
			if o, rv := storedFunc(mi.X); o != nil {
				if obj != nil {
					return nil, nil // two functions: which runs is the library's choice
				}
				obj, recv = o, rv
			}
		}
	}
	if obj == nil {
		return nil, nil
	}
	var given []ssa.Value
	if c, ok := rest.(*ssa.Const); !ok || !c.IsNil() {
		elems, ok := r.literalElements(rest)
		if !ok {
			return nil, nil
		}
		for _, e := range elems {
			if mi, ok := e.(*ssa.MakeInterface); ok {
				e = mi.X
			}
			given = append(given, e)
		}
	}
	params := obj.Signature().Params()
	switch {
	case params.Len() == len(given)+1 && isContext(params.At(0).Type()):
		given = append([]ssa.Value{common.Args[0]}, given...)
	case params.Len() != len(given) || obj.Signature().Variadic():
		return nil, nil
	}
	if recv != nil {
		given = append([]ssa.Value{recv}, given...)
	}
	return obj, given
}

// isContext reports whether t is context.Context.
func isContext(t types.Type) bool {
	named, ok := types.Unalias(t).(*types.Named)
	return ok && named.Obj().Pkg() != nil && named.Obj().Pkg().Path() == "context" && named.Obj().Name() == "Context"
}

// swappable returns the function that v, a load of a package variable of
// function type, holds: the one its declaration gives it, when no other
// code of the package sets it. Tests swap such a variable for a fake
// (var putValue = realPut), and what they set does not count.
func (r *Result) swappable(v ssa.Value) ssa.Value {
	load, ok := v.(*ssa.UnOp)
	if !ok || load.Op != token.MUL {
		return nil
	}
	g, ok := load.X.(*ssa.Global)
	if !ok {
		return nil
	}
	if _, isFunc := g.Type().(*types.Pointer).Elem().Underlying().(*types.Signature); !isFunc {
		return nil
	}
	var stored ssa.Value
	for _, instr := range r.users(g) {
		st, ok := instr.(*ssa.Store)
		if !ok || st.Addr != g || r.inTestFile(st.Parent()) {
			continue
		}
		if stored != nil || st.Parent().Synthetic != "package initializer" {
			return nil
		}
		stored = st.Val
	}
	return stored
}

// inTestFile reports whether fn is declared in a _test.go file.
func (r *Result) inTestFile(fn *ssa.Function) bool {
	return strings.HasSuffix(r.pass.Fset.Position(outermost(fn).Pos()).Filename, "_test.go")
}

// capturedVar returns the free variable that v is, or is loaded from.
func capturedVar(v ssa.Value) *ssa.FreeVar {
	if load, ok := v.(*ssa.UnOp); ok && load.Op == token.MUL {
		v = load.X
	}
	fv, _ := v.(*ssa.FreeVar)
	return fv
}

// madeArgs returns the arguments that a call of a closure made by a
// factory gives its Terms: its own, then the factory call's.
func madeArgs(common *ssa.CallCommon, made ssa.Value) []ssa.Value {
	call, _ := factoryCall(made)
	return append(slices.Clip(common.Args), call.Call.Args...)
}

// boundMethod returns, for a call of a method of a parameter whose type
// is an interface literal, func touch(ctx, kv interface{ Put(...) error }),
// the method that the function's callers in this package give it: the
// adapter's Put, or a port's. No configuration can name such an
// interface, so what its callers pass is all there is to go by. The
// first caller whose method is known to reach KV decides.
func (r *Result) boundMethod(common *ssa.CallCommon) *types.Func {
	p, ok := common.Value.(*ssa.Parameter)
	if !ok {
		return nil
	}
	if _, literal := types.Unalias(p.Type()).(*types.Interface); !literal {
		return nil
	}
	fn := p.Parent()
	i := slices.Index(fn.Params, p)
	for _, caller := range r.CallSites(origin(fn)) {
		args := caller.Common().Args
		if i >= len(args) {
			continue
		}
		given := args[i]
		if c, ok := given.(*ssa.ChangeInterface); ok {
			given = c.X // a port of the caller's, seen as the literal
		}
		if mi, ok := given.(*ssa.MakeInterface); ok {
			given = mi.X
		}
		obj, _, _ := types.LookupFieldOrMethod(given.Type(), true, common.Method.Pkg(), common.Method.Name())
		if m, ok := obj.(*types.Func); ok && r.reachesKV(m) {
			return m
		}
	}
	return nil
}

// reachesKV reports whether a call of m is a KV operation: an SDK
// method, a port, or a wrapper.
func (r *Result) reachesKV(m *types.Func) bool {
	var fact WrapperFact
	return Lookup(m) != nil || r.ifaces.lookup(m) != nil || r.ifaces.wrapped(m) != nil ||
		r.pass.ImportObjectFact(m.Origin(), &fact)
}

// portFunc returns, for a call of a value of a function type that
// implements a storage port (type GetterFunc func(ctx, key) ([]byte,
// error), with a Get method that calls it, as http.HandlerFunc does), the
// port's method: whatever the value holds, it serves as that port, and
// the receiver is the value itself.
func (r *Result) portFunc(common *ssa.CallCommon) (*types.Func, []ssa.Value) {
	named, ok := types.Unalias(common.Value.Type()).(*types.Named)
	if !ok {
		return nil, nil
	}
	var ports []*types.Func
	for _, m := range r.portMethods() {
		iface, ok := m.Signature().Recv().Type().Underlying().(*types.Interface)
		if ok && types.Implements(named, iface) && servesAs(named, m) {
			ports = append(ports, m)
		}
	}
	if len(ports) == 0 {
		return nil, nil
	}
	slices.SortFunc(ports, func(a, b *types.Func) int { return strings.Compare(a.FullName(), b.FullName()) })
	return ports[0], append([]ssa.Value{common.Value}, common.Args...)
}

// portMethods returns the methods of the storage ports that the kvlint
// command found, or that go vet's configuration names (resolved in the
// packages this one imports), once per package.
func (r *Result) portMethods() []*types.Func {
	if r.ports != nil {
		return r.ports
	}
	r.ports = []*types.Func{}
	for m := range r.ifaces.found {
		r.ports = append(r.ports, m)
	}
	pkgs := make(map[string]*types.Package)
	var visit func(p *types.Package)
	visit = func(p *types.Package) {
		if pkgs[p.Path()] != nil {
			return
		}
		pkgs[p.Path()] = p
		for _, imp := range p.Imports() {
			visit(imp)
		}
	}
	visit(r.pass.Pkg)
	for _, row := range r.ifaces.rows {
		p := pkgs[row.Pkg]
		if p == nil {
			continue
		}
		tn, ok := p.Scope().Lookup(row.Recv).(*types.TypeName)
		if !ok || !types.IsInterface(tn.Type()) {
			continue
		}
		if m, _, _ := types.LookupFieldOrMethod(tn.Type(), false, p, row.Name); m != nil {
			if fn, ok := m.(*types.Func); ok && !slices.Contains(r.ports, fn) {
				r.ports = append(r.ports, fn)
			}
		}
	}
	return r.ports
}

// servesAs reports whether named, a function type, has the interface
// method m with its own signature, as http.HandlerFunc's ServeHTTP: a
// method that only calls the function.
func servesAs(named *types.Named, m *types.Func) bool {
	sig, ok := named.Underlying().(*types.Signature)
	if !ok {
		return false
	}
	own, _, _ := types.LookupFieldOrMethod(named, false, m.Pkg(), m.Name())
	fn, ok := own.(*types.Func)
	return ok && types.Identical(withoutRecv(fn.Signature()), sig)
}

// withoutRecv is sig with no receiver.
func withoutRecv(sig *types.Signature) *types.Signature {
	return types.NewSignatureType(nil, nil, nil, sig.Params(), sig.Results(), sig.Variadic())
}

// onlyStored returns the one function value that the package stores into
// field f, or nil when it stores none or several.
func (r *Result) onlyStored(f *types.Var) ssa.Value {
	stored := r.storedIn(f)
	if len(stored) != 1 {
		return nil
	}
	return stored[0] // storedFunc sees through a named func type
}

// StoredFuncs returns the functions of this package that the field call
// goes through is set to: s.ttlFor(sess), with ttlFor set to a literal by
// each constructor. Nil when call goes through no field, or the field is
// also set to something else. For a call of a method of an interface
// that this package declares (a strategy, policy.TTL(h, now)), they are
// the methods of the package's types that implement it.
func (r *Result) StoredFuncs(call *ssa.CallCommon) []*ssa.Function {
	if call.IsInvoke() {
		return r.implementations(call)
	}
	load, ok := call.Value.(*ssa.UnOp)
	if !ok || load.Op != token.MUL {
		return nil
	}
	fa, ok := load.X.(*ssa.FieldAddr)
	if !ok {
		return nil
	}
	var fns []*ssa.Function
	for _, v := range r.storedIn(FieldOf(fa)) {
		for ct, ok := v.(*ssa.ChangeType); ok; ct, ok = v.(*ssa.ChangeType) {
			v = ct.X // to a named func type
		}
		fn := FuncValue(v)
		if fn == nil || fn.Pkg != r.pkg || fn.Blocks == nil {
			return nil
		}
		fns = append(fns, fn)
	}
	return fns
}

// implementations returns the methods that the invoke call may run: the
// method of each type of this package, outside its tests, that implements
// the interface, when this package declares it and the value is not a
// parameter. Nil otherwise.
func (r *Result) implementations(call *ssa.CallCommon) []*ssa.Function {
	if _, given := call.Value.(*ssa.Parameter); given {
		return nil // the record a caller passes: its type's method (see recordMethod)
	}
	return r.implementationsOf(call.Value.Type(), call.Method)
}

// implementationsOf returns the methods that implement method of iface,
// an interface of this package, on the package's own types.
func (r *Result) implementationsOf(iface types.Type, method *types.Func) []*ssa.Function {
	named, ok := types.Unalias(iface).(*types.Named)
	if !ok || named.Obj().Pkg() != r.pkg.Pkg {
		return nil
	}
	if fns, ok := r.implemented.Load(method); ok {
		return fns.([]*ssa.Function)
	}
	prog := r.pkg.Prog
	var fns []*ssa.Function
	scope := r.pkg.Pkg.Scope()
	for _, name := range scope.Names() {
		tn, ok := scope.Lookup(name).(*types.TypeName)
		if !ok || tn.IsAlias() || types.IsInterface(tn.Type()) || r.InTestFile(tn.Pos()) {
			continue
		}
		if named, ok := tn.Type().(*types.Named); !ok || named.TypeParams().Len() > 0 {
			continue
		}
		for _, t := range []types.Type{tn.Type(), types.NewPointer(tn.Type())} {
			if !types.Implements(t, named.Underlying().(*types.Interface)) {
				continue
			}
			if sel := prog.MethodSets.MethodSet(t).Lookup(method.Pkg(), method.Name()); sel != nil {
				if fn := prog.MethodValue(sel); fn != nil && fn.Blocks != nil {
					fns = append(fns, fn)
				}
			}
			break
		}
	}
	r.implemented.Store(method, fns)
	return fns
}

// debounced reports whether inner, a closure of fn, is run by a timer
// that fn stops or resets each time (p.t.Stop(); p.t =
// time.AfterFunc(5*time.Second, func() {...})): however often fn is
// called, its writes collapse into the last.
func debounced(fn, inner *ssa.Function) bool {
	if inner == fn || inner.Parent() != fn {
		return false
	}
	timed, reset := false, false
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			call, ok := instr.(*ssa.Call)
			if !ok {
				continue
			}
			switch CalleeName(call) {
			case "time.AfterFunc":
				timed = timed || FuncValue(call.Call.Args[1]) == inner
			case "(*time.Timer).Stop", "(*time.Timer).Reset":
				reset = true
			}
		}
	}
	return timed && reset
}

// failsAfter reports whether every return of fn that can follow op hands
// back an error that is never nil: a sentinel, a new error, or the error
// of an inner wrapper that fails after its own write. (The write's own
// failure is passed on too.)
func failsAfter(fn *ssa.Function, op *Op) bool {
	call, ok := op.Call.(*ssa.Call)
	if !ok || call.Parent() != fn {
		return false
	}
	fails := false
	after := reachable(call.Block())
	for _, b := range fn.Blocks {
		if b != call.Block() && !after[b] {
			continue
		}
		ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
		if !ok {
			continue
		}
		if len(ret.Results) == 0 {
			return false
		}
		last := ret.Results[len(ret.Results)-1]
		if ext, ok := last.(*ssa.Extract); ok && ext.Tuple == call || last == ssa.Value(call) {
			fails = fails || op.Wrapped != nil && op.Wrapped.FailsAfter
			continue
		}
		if !NeverNilError(last) {
			return false
		}
		fails = true
	}
	return fails
}

// NeverNilError reports whether v is an error value that cannot be nil: a
// package's sentinel (ErrBackoff), errors.New or fmt.Errorf, or a value
// of a concrete error type.
func NeverNilError(v ssa.Value) bool {
	switch v := v.(type) {
	case *ssa.UnOp:
		g, ok := v.X.(*ssa.Global)
		return ok && v.Op == token.MUL && IsError(g.Type().(*types.Pointer).Elem())
	case *ssa.Call:
		name := CalleeName(v)
		return name == "errors.New" || name == "fmt.Errorf"
	case *ssa.MakeInterface:
		return true
	}
	return false
}

// Returns returns fn's return instructions.
func Returns(fn *ssa.Function) []*ssa.Return {
	var rets []*ssa.Return
	for _, b := range fn.Blocks {
		if ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return); ok {
			rets = append(rets, ret)
		}
	}
	return rets
}

// storedIn returns the values the package stores in field f.
func (r *Result) storedIn(f *types.Var) []ssa.Value {
	if f == nil {
		return nil
	}
	if r.fieldStores == nil {
		r.fieldStores = make(map[*types.Var][]ssa.Value)
		for _, fn := range r.funcs {
			for _, b := range fn.Blocks {
				for _, instr := range b.Instrs {
					if st, ok := instr.(*ssa.Store); ok {
						if fa, ok := st.Addr.(*ssa.FieldAddr); ok {
							if field := FieldOf(fa); field != nil {
								r.fieldStores[field] = append(r.fieldStores[field], st.Val)
							}
						}
					}
				}
			}
		}
	}
	return r.fieldStores[f]
}

// FieldOf returns the struct field that fa addresses, nil if none.
func FieldOf(fa *ssa.FieldAddr) *types.Var {
	st, ok := derefStruct(fa.X.Type())
	if !ok || fa.Field >= st.NumFields() {
		return nil
	}
	return st.Field(fa.Field).Origin()
}

// summarise returns the WrapperFact of fn, or nil if fn wraps nothing.
func (r *Result) summarise(fn *ssa.Function, ops []*Op) *WrapperFact {
	return r.summariseIn(&compiler{model: r, fn: fn}, ops)
}

// summariseIn is summarise with the compiler c of the function: one that
// also names the parameters of the factory that made a closure.
func (r *Result) summariseIn(c *compiler, ops []*Op) *WrapperFact {
	fn := c.fn
	// The function whose parameters the summary names: a closure
	// summarised on its own (var writePairs = func(...) {...}) names its
	// own; a factory's closure, its factory's.
	root := fn
	if c.outer != nil {
		root = c.outer
	}
	var fact WrapperFact
	for _, op := range ops {
		w := WrappedOp{Role: op.Method.Role, Method: op.Method.FullName()}
		w.ViaPort = op.viaPort
		w.InField = op.Call.Parent() != fn && InPortField(op.Call.Parent())
		if op.Wrapped != nil {
			w.Method, w.Field = op.Wrapped.Method, op.Wrapped.Field
			w.ViaPort = w.ViaPort || op.Wrapped.ViaPort
			w.InField = w.InField || op.Wrapped.InField
			w.Collapses = op.Wrapped.Collapses
		}
		w.Collapses = w.Collapses || debounced(fn, op.Call.Parent())
		// Every operand is kept, so that callers can tell which namespace
		// and key the operation touches, even when fixed inside.
		params := false
		for o := Operand(0); o < numOperands; o++ {
			ot := OperandTerms{Operand: o}
			for _, src := range op.Sources(o) {
				ot.Terms = append(ot.Terms, c.guarded(src, op))
				ot.Duration = ot.Duration || src.Duration
			}
			for _, t := range op.paramFields(root, o) {
				// Options given as a parameter are also a source of the
				// operation's own (see Op.sources): once is enough.
				if !slices.ContainsFunc(ot.Terms, func(u *Term) bool { return u.String() == t.String() }) {
					ot.Terms = append(ot.Terms, t)
				}
			}
			if terms := ot.Terms; len(terms) > 0 {
				w.Operands = append(w.Operands, ot)
				given := (*Term).Params
				if w.Field != "" {
					// A setter's call passes on what its caller gives, or
					// it is only a use of a field (findSetters follows it).
					method := fn.Signature.Recv() != nil
					given = func(t *Term) bool { return t.givenByCaller(method) }
				}
				params = params || slices.ContainsFunc(terms, given)
			}
		}
		w.Conds = c.opConds(op.Call.Block())
		if op.Wrapped != nil {
			args := c.args(op.Args)
			for _, cd := range op.Wrapped.Conds {
				w.Conds = append(w.Conds, Cond{Term: cd.Term.Substitute(args), Want: cd.Want})
			}
		}
		if op.Method.Role == Put {
			w.Fill = op.Wrapped != nil && op.Wrapped.Fill || r.AfterMiss(op, nil)
		}
		if op.Method.Role == Put || op.Method.Role == BulkPut {
			w.FailsAfter = failsAfter(fn, op)
		}
		if op.Method.Role == BulkPut || op.Method.Role == BulkGet || op.Method.Role == BulkDelete {
			w.ChunkParam = r.chunkParam(fn, op)
		}
		if op.Method.Role == Get || op.Method.Role == BulkGet || op.Method.Role == List {
			w.Results = r.resultsFrom(fn, op)
			w.Out = r.outParams(fn, op)
			w.Handed = r.handedTo(fn, op)
			w.Missing = r.missingReturned(fn, op)
			w.MissError = op.Method.Role == Get && r.missAsError(fn, op)
			w.ErrorsAsMiss = op.Method.Role == Get && errorsAsMiss(fn, op)
			w.AnswersMiss = op.Method.Role == Get && op.Call.Parent() == fn && returnsNone(fn)
		}
		if params || len(w.Results) > 0 || len(w.Out) > 0 || len(w.Handed) > 0 {
			fact.Ops = append(fact.Ops, w)
		}
	}
	if len(fact.Ops) == 0 {
		return nil
	}
	return &fact
}

// chunkParam is WrappedOp.ChunkParam for op, a bulk operation of fn:
// the parameter of fn that sizes the chunks op is given, directly or
// through the wrapper op calls.
func (r *Result) chunkParam(fn *ssa.Function, op *Op) int {
	var size ssa.Value
	if op.Wrapped != nil {
		if i := op.Wrapped.ChunkParam - 1; i >= 0 && i < len(op.Args) {
			size = op.Args[i]
		}
	}
	if seq := r.ChunkedBy(op); size == nil && seq != nil {
		size = seq.Call.Args[1]
	}
	if p, ok := size.(*ssa.Parameter); ok && p.Parent() == fn {
		return slices.Index(fn.Params, p) + 1
	}
	return 0
}

// source is the Term of an operand's source, in the function that holds it.
func (c *compiler) source(src Source) *Term {
	if src.Term != nil {
		t := c.model.typeMethods(c.model.decideImplements(src.Term, src.Args), src.Args)
		t, args := c.model.elemFieldsSet(t, src.Args)
		if c.fields == nil {
			t, vals := fieldsSet(t, args)
			return t.Substitute(c.args(vals))
		}
		return c.bindValues(t, args)
	}
	if src.madeBy != nil {
		if t := c.model.madeTerm(src); t != nil {
			// Only when what the helper is given can be said: else the
			// field it reads is the better summary (see setters.go).
			if t := c.bindValues(t, src.madeBy.Call.Args); t.Find(func(s *Term) bool { return s.Op == TermOpaque }) == nil {
				return t
			}
		}
	}
	return c.term(src.Value, 0)
}

// guarded is the Term of src, with the branches that lead to the field
// store that gave it, when those differ from the operation's: an option
// set only "if ttl > 0" is a one-armed phi that a caller's 0 leaves unset.
func (c *compiler) guarded(src Source, op *Op) *Term {
	t := c.source(src)
	if src.Block == nil || src.Block == op.Call.Block() || src.Block.Parent() != op.Call.Parent() {
		return t
	}
	conds := c.Conds(src.Block, 0)
	if len(conds) == 0 {
		return t
	}
	return &Term{Op: TermPhi, Args: []*Term{t}, Conds: [][]Cond{conds}}
}

func (c *compiler) args(args []ssa.Value) []*Term {
	var out []*Term
	for _, a := range args {
		out = append(out, c.term(a, 0))
	}
	return out
}

// A Handoff is a call that a wrapper makes of its parameter Param (its
// receiver first) with what a get read as argument Arg.
type Handoff struct {
	Param, Arg int
}

// handedTo returns the calls fn makes, itself or in its closures, of its
// function parameters with what the get op read: a completion callback.
func (r *Result) handedTo(fn *ssa.Function, op *Op) []Handoff {
	read := op.Results()
	if len(read) == 0 {
		return nil
	}
	var out []Handoff
	var visit func(f *ssa.Function)
	visit = func(f *ssa.Function) {
		for _, b := range f.Blocks {
			for _, instr := range b.Instrs {
				call, ok := instr.(ssa.CallInstruction)
				if !ok || call.Common().IsInvoke() {
					continue
				}
				// cb in go func() { cb(n.Get(ctx, key)) }(), captured as it
				// is or by reference.
				callee := call.Common().Value
				if fv := capturedVar(callee); fv != nil {
					callee = Binding(fv)
				}
				if alloc, ok := callee.(*ssa.Alloc); ok {
					if stored := r.storedInto(alloc); len(stored) == 1 {
						callee = stored[0]
					}
				}
				p, ok := callee.(*ssa.Parameter)
				if !ok || p.Parent() != fn {
					continue
				}
				for j, a := range call.Common().Args {
					h := Handoff{Param: slices.Index(fn.Params, p), Arg: j}
					if slices.Contains(read, a) && !slices.Contains(out, h) {
						out = append(out, h)
					}
				}
			}
		}
		for _, anon := range f.AnonFuncs {
			visit(anon)
		}
	}
	visit(fn)
	return out
}

// resultsFrom returns the indices of fn's results that carry a value
// that the get op read.
func (r *Result) resultsFrom(fn *ssa.Function, op *Op) []int {
	read := op.Results()
	var out []int
	for _, b := range fn.Blocks {
		ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
		if !ok {
			continue
		}
		for i, v := range ret.Results {
			if !slices.Contains(out, i) && !IsError(v.Type()) && (r.DependsOn(v, ret, read) || r.sentFrom(v, read)) {
				out = append(out, i)
			}
		}
	}
	if i := foundFlag(fn, op); i >= 0 && !slices.Contains(out, i) {
		out = append(out, i)
	}
	sort.Ints(out)
	return out
}

// foundFlag returns the index of fn's result that says whether the get
// found its key, -1 if there is none: a bool that every return after the
// get sets to a constant, true on some and false on others (return raw,
// true, nil; return nil, false, nil where the error said not found).
func foundFlag(fn *ssa.Function, op *Op) int {
	res := fn.Signature.Results()
	for i := range res.Len() {
		if !IsBool(res.At(i).Type()) {
			continue
		}
		seen := map[bool]bool{}
		fixed := true
		for _, b := range fn.Blocks {
			ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
			if !ok || len(ret.Results) != res.Len() || !op.Call.Block().Dominates(b) {
				continue
			}
			c, ok := ret.Results[i].(*ssa.Const)
			if !ok || c.Value == nil {
				fixed = false
				break
			}
			seen[constant.BoolVal(c.Value)] = true
		}
		if fixed && seen[true] && seen[false] {
			return i
		}
	}
	return -1
}

// sentFrom reports whether v is a channel into which the package sends
// what read holds: keys handed out, one by one, by a goroutine that pages
// through a listing (func Keys(ctx) (<-chan string, <-chan error)).
func (r *Result) sentFrom(v ssa.Value, read []ssa.Value) bool {
	for _, s := range r.sentOn(v) {
		if r.DependsOn(s.value, s.at, read) {
			return true
		}
	}
	return false
}

// A send is a value the package sends on a channel, and where.
type send struct {
	value ssa.Value
	at    ssa.Instruction
}

// sentOn returns what the package sends on the channel that ch, a
// channel or a variable or captured variable holding one, was made as.
func (r *Result) sentOn(ch ssa.Value) []send {
	made, ok := r.madeChan(ch).(*ssa.MakeChan)
	if !ok {
		return nil
	}
	if r.chanSends == nil {
		r.chanSends = make(map[*ssa.MakeChan][]send)
		for _, fn := range r.funcs {
			for _, b := range fn.Blocks {
				for _, instr := range b.Instrs {
					switch instr := instr.(type) {
					case *ssa.Send:
						if c, ok := r.madeChan(instr.Chan).(*ssa.MakeChan); ok {
							r.chanSends[c] = append(r.chanSends[c], send{instr.X, instr})
						}
					case *ssa.Select: // select { case out <- k: ...; case <-ctx.Done(): ... }
						for _, st := range instr.States {
							if c, ok := r.madeChan(st.Chan).(*ssa.MakeChan); ok && st.Dir == types.SendOnly {
								r.chanSends[c] = append(r.chanSends[c], send{st.Send, instr})
							}
						}
					}
				}
			}
		}
	}
	return r.chanSends[made]
}

// madeChan returns the value that the channel c was made as, through the
// variables and captures that hold it.
func (r *Result) madeChan(c ssa.Value) ssa.Value {
	for range maxDepth {
		switch x := c.(type) {
		case *ssa.ChangeType:
			c = x.X
			continue
		case *ssa.FreeVar:
			if b := r.binding(x); b != nil {
				c = b
				continue
			}
		case *ssa.UnOp: // a channel variable that a goroutine captures
			if x.Op != token.MUL {
				return c
			}
			addr := makersVar(x.X)
			if addr == nil {
				return nil // a closure not made in its parent
			}
			if stored := r.storedInto(addr); len(stored) == 1 {
				c = stored[0]
				continue
			}
		}
		return c
	}
	return nil
}

// outParams returns the indices of fn's parameters that receive what the
// get op read: json.Unmarshal(data, v), or *p = value.
func (r *Result) outParams(fn *ssa.Function, op *Op) []int {
	read := op.Results()
	var out []int
	for i, p := range fn.Params {
		switch p.Type().Underlying().(type) {
		case *types.Pointer, *types.Interface:
		case *types.Map:
			// A map shares its entries with the caller's: (ix Index)
			// Load fills ix with json.Unmarshal(raw, &ix), or ix[k] = v.
			if r.fillsMap(p, read) {
				out = append(out, i)
			}
			continue
		default:
			continue
		}
		if r.receives(p, read, 0) || passedOut(op, p) {
			out = append(out, i)
		}
	}
	return out
}

// fillsMap reports whether the map m, a parameter, is given entries
// computed from read: m[k] = v, or a decoder given the address of the
// variable that holds it.
func (r *Result) fillsMap(m *ssa.Parameter, read []ssa.Value) bool {
	for _, ref := range *m.Referrers() {
		switch ref := ref.(type) {
		case *ssa.MapUpdate:
			if ref.Map == m && (r.DependsOn(ref.Value, ref, read) || r.DependsOn(ref.Key, ref, read)) {
				return true
			}
		case *ssa.Store:
			if alloc, ok := ref.Addr.(*ssa.Alloc); ok && ref.Val == m && r.receives(alloc, read, 0) {
				return true
			}
		}
	}
	return false
}

// passedOut reports whether op is a call of a wrapper that decodes into
// one of its arguments, and that argument is p: Fill[T, PT](ctx, s, v PT)
// { return s.Load(ctx, v.Key(), v) }.
func passedOut(op *Op, p *ssa.Parameter) bool {
	if op.Wrapped == nil || op.Call.Common().IsInvoke() {
		return false
	}
	args := op.Call.Common().Args
	for _, i := range op.Wrapped.Out {
		if i >= len(args) {
			continue
		}
		if retyped(args[i]) == p {
			return true
		}
	}
	return false
}

// receives reports whether what addr points to is given a value computed
// from read: stored into it, or into a field of it, or passed beside it to
// a call (a decoder).
func (r *Result) receives(addr ssa.Value, read []ssa.Value, depth int) bool {
	refs := addr.Referrers()
	if refs == nil || depth > maxDepth {
		return false
	}
	for _, user := range *refs {
		switch user := user.(type) {
		case *ssa.Store:
			if user.Addr == addr && r.DependsOn(user.Val, user, read) {
				return true
			}
		case *ssa.FieldAddr, *ssa.ChangeType, *ssa.MakeInterface:
			if r.receives(user.(ssa.Value), read, depth+1) {
				return true
			}
		case ssa.CallInstruction:
			common := user.Common()
			if callee := common.StaticCallee(); callee != nil && callee.Signature.Recv() != nil && len(common.Args) > 0 && common.Args[0] == addr {
				continue // its receiver: log.Info("listed", "key", k) writes nothing into log
			}
			if IsContext(addr.Type()) {
				continue // a context passed beside the value receives none of it
			}
			for _, a := range common.Args {
				if a != addr && r.DependsOn(a, user, read) {
					return true
				}
			}
		}
	}
	return false
}

// IsContext reports whether t is context.Context.
func IsContext(t types.Type) bool {
	named, ok := types.Unalias(t).(*types.Named)
	return ok && named.Obj().Pkg() != nil && named.Obj().Pkg().Path() == "context" && named.Obj().Name() == "Context"
}

// IsRead reports whether v is what some get of the package hands back.
func (r *Result) IsRead(v ssa.Value) bool {
	if r.reads == nil {
		r.reads = make(map[ssa.Value]bool)
		for _, op := range r.Ops {
			if op.Method.Role == Get {
				for _, res := range op.Results() {
					r.reads[res] = true
				}
			}
		}
	}
	return r.reads[v]
}

// Results returns the values in which a get hands back what it read: the
// SDK method's first result, or the wrapper's results that carry it. A
// wrapper that decodes into a parameter hands it back through the call
// itself, which the flow from the variable passed reaches (see Backward).
func (op *Op) Results() []ssa.Value {
	if op.Wrapped != nil && len(op.Wrapped.Handed) > 0 {
		return op.handed()
	}
	call, ok := op.Call.(*ssa.Call)
	if !ok {
		return nil
	}
	if op.Wrapped != nil && len(op.Wrapped.Out) > 0 {
		out := []ssa.Value{call}
		for _, user := range *call.Referrers() {
			if ext, ok := user.(*ssa.Extract); ok && slices.Contains(op.Wrapped.Results, ext.Index) {
				out = append(out, ext)
			}
		}
		return out
	}
	indices := []int{0}
	if op.Wrapped != nil {
		indices = op.Wrapped.Results
	}
	if call.Call.Signature().Results().Len() == 1 {
		if slices.Contains(indices, 0) {
			return []ssa.Value{call}
		}
		return nil
	}
	var out []ssa.Value
	for _, user := range *call.Referrers() {
		if ext, ok := user.(*ssa.Extract); ok && slices.Contains(indices, ext.Index) {
			out = append(out, ext)
		}
	}
	return out
}

// handed returns the parameters of the functions this call hands what the
// wrapper read: val of GetAsync(ctx, key, func(val []byte, err error)).
func (op *Op) handed() []ssa.Value {
	args := op.Call.Common().Args
	var out []ssa.Value
	for _, h := range op.Wrapped.Handed {
		if h.Param >= len(args) {
			continue
		}
		var fn *ssa.Function
		switch cb := args[h.Param].(type) {
		case *ssa.MakeClosure:
			fn, _ = cb.Fn.(*ssa.Function)
		case *ssa.Function:
			fn = cb
		}
		if fn != nil && h.Arg < len(fn.Params) {
			out = append(out, fn.Params[h.Arg])
		}
	}
	return out
}

// IsError reports whether t is the predeclared error type.
func IsError(t types.Type) bool {
	return types.Identical(t, types.Universe.Lookup("error").Type())
}

// IsBool reports whether t is a boolean type: a found flag's.
func IsBool(t types.Type) bool { return basic(t, types.IsBoolean) }

// IsString reports whether t is a string type: a key's.
func IsString(t types.Type) bool { return basic(t, types.IsString) }
