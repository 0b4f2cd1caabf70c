package kvapi

import (
	"go/token"
	"go/types"
	"slices"
	"strings"

	"golang.org/x/tools/go/ssa"
)

// Builders. A write is often put together in steps: a constructor
// records the key (s.Write(key) returns &WriteOp{key: key}), setters that
// return their receiver record the value and the lifetime
// (.JSON(v).TTL(d)), and a last method sends it (.Do(ctx)), whose summary
// reads its receiver's fields: (key $0). A BuiltFact says, for each step,
// which fields of the struct it hands back it sets, and to what, so that
// the fields of a chain resolve to the arguments its caller gave.

// A BuiltFact describes a function that returns a pointer to a struct
// it makes, or its own receiver (a fluent setter), and the fields of
// that struct it sets, each as a Term over its parameters.
type BuiltFact struct {
	Fluent bool
	Sets   []FieldTerm
}

// A FieldTerm is a field set to a Term.
type FieldTerm struct {
	Field string
	Term  *Term
}

func (*BuiltFact) AFact() {}

func (f *BuiltFact) String() string {
	var sets []string
	for _, s := range f.Sets {
		sets = append(sets, s.Field+"="+s.Term.String())
	}
	kind := "kv builder"
	if f.Fluent {
		kind = "kv fluent setter"
	}
	return kind + ": " + strings.Join(sets, "; ")
}

// exportBuilders exports a BuiltFact for each of the package's
// constructors and fluent setters.
func (r *Result) exportBuilders() {
	for _, fn := range r.funcs {
		if obj, ok := fn.Object().(*types.Func); ok && fn.Parent() == nil {
			if b := r.built(fn); b != nil {
				r.pass.ExportObjectFact(obj, b)
			}
		}
	}
}

// built returns the BuiltFact of fn: computed from its body in this
// package, else imported; nil if fn builds nothing.
func (r *Result) built(fn *ssa.Function) *BuiltFact {
	if origin := fn.Origin(); origin != nil {
		fn = origin
	}
	if fn.Pkg != r.pkg || fn.Blocks == nil {
		obj, ok := fn.Object().(*types.Func)
		if !ok {
			return nil
		}
		fact := new(BuiltFact)
		if !r.pass.ImportObjectFact(obj, fact) {
			return nil
		}
		return fact
	}
	if b, ok := r.builders[fn]; ok {
		return b
	}
	if r.builders == nil {
		r.builders = make(map[*ssa.Function]*BuiltFact)
	}
	r.builders[fn] = nil // while it is computed: a setter that calls itself builds nothing
	b := r.buildOf(fn)
	r.builders[fn] = b
	return b
}

// buildOf computes fn's BuiltFact from its body. A builder of struct
// values is read the same way: a literal it returns (return Entry{key:
// k}), or a changed copy of its receiver (func (e Entry) JSON(v any) Entry
// { e.value = ...; return e }), or what another fluent setter of it
// returns (return e.with(WithTTL(d))).
func (r *Result) buildOf(fn *ssa.Function) *BuiltFact {
	res := fn.Signature.Results()
	if res.Len() == 0 {
		return nil
	}
	if _, ok := derefStruct(res.At(0).Type()); !ok {
		return nil
	}
	_, isPtr := res.At(0).Type().Underlying().(*types.Pointer)
	var made ssa.Value // what every return hands back
	for _, b := range fn.Blocks {
		ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
		if !ok || len(ret.Results) == 0 {
			continue
		}
		v := ret.Results[0]
		if load, ok := v.(*ssa.UnOp); ok && !isPtr && load.Op == token.MUL {
			if local, ok := load.X.(*ssa.Alloc); ok {
				v = local // the struct value as it is when returned
			}
		}
		if made != nil && v != made {
			return nil
		}
		made = v
	}
	recv := fn.Signature.Recv() != nil && len(fn.Params) > 0
	fact := &BuiltFact{}
	switch v := made.(type) {
	case *ssa.Parameter:
		if !isPtr || !recv || v != fn.Params[0] {
			return nil
		}
		fact.Fluent = true
	case *ssa.Alloc:
	case *ssa.Call:
		return r.delegated(fn, v)
	default:
		return nil
	}
	structs := []ssa.Value{made} // and the literal it starts as
	for _, ref := range *made.Referrers() {
		switch ref := ref.(type) {
		case *ssa.FieldAddr, *ssa.Return, *ssa.DebugRef:
		case *ssa.UnOp: // the copy returned
			if isPtr {
				return nil
			}
		case *ssa.Store:
			if lit := literalCopied(ref); !isPtr && ref.Addr == made && lit != nil {
				// p := Params{AccountID: F(account)}, then changed.
				structs = append(structs, lit)
				continue
			}
			// A copy of the receiver, changed and returned.
			if isPtr || !recv || ref.Addr != made || ref.Val != fn.Params[0] {
				return nil
			}
			fact.Fluent = true
		default:
			return nil // handed to a call (an option applied to it) that may set any field
		}
	}
	st, _ := derefStruct(made.Type())
	c := &compiler{model: r, fn: fn}
	var addrs []ssa.Instruction
	for _, x := range structs {
		addrs = append(addrs, *x.Referrers()...)
	}
	for _, ref := range addrs {
		fa, ok := ref.(*ssa.FieldAddr)
		if !ok || !slices.Contains(structs, fa.X) || fa.Field >= st.NumFields() {
			continue
		}
		name := st.Field(fa.Field).Name()
		for _, use := range *fa.Referrers() {
			switch use := use.(type) {
			case *ssa.Store:
				if use.Addr == fa {
					fact.set(name, c.term(use.Val, 0))
				}
			case *ssa.FieldAddr:
				// A field of a struct the builder holds: op.opts.TTL = d,
				// recorded as "opts.TTL".
				inner, ok := derefStruct(fa.Type())
				if !ok || use.Field >= inner.NumFields() {
					continue
				}
				for _, u := range *use.Referrers() {
					if store, ok := u.(*ssa.Store); ok && store.Addr == use {
						fact.set(name+"."+inner.Field(use.Field).Name(), c.term(store.Val, 0))
					}
				}
			}
		}
	}
	if fact.Fluent && len(fact.Sets) == 0 {
		return nil // returns its receiver, and changes nothing in it
	}
	if !isPtr && !fact.Fluent && !slices.ContainsFunc(fact.Sets, func(s FieldTerm) bool { return s.Term.Op != TermOpaque && s.Term.Params() }) {
		return nil // a struct value made of nothing its callers give
	}
	return fact
}

// literalCopied returns the composite literal that store copies whole
// into a variable, when it is one: a local struct whose only uses are its
// fields' stores and this copy.
func literalCopied(store *ssa.Store) *ssa.Alloc {
	load, ok := store.Val.(*ssa.UnOp)
	if !ok || load.Op != token.MUL {
		return nil
	}
	lit, ok := load.X.(*ssa.Alloc)
	if !ok || lit.Heap {
		return nil
	}
	for _, ref := range *lit.Referrers() {
		switch ref := ref.(type) {
		case *ssa.FieldAddr:
		case *ssa.UnOp:
			if ref != load {
				return nil
			}
		default:
			return nil
		}
	}
	return lit
}

// delegated returns the BuiltFact of fn, a method that returns what a
// fluent setter returns when called on fn's own receiver: the setter's,
// with fn's arguments put in.
func (r *Result) delegated(fn *ssa.Function, call *ssa.Call) *BuiltFact {
	callee := call.Call.StaticCallee()
	if callee == nil || fn.Signature.Recv() == nil || len(fn.Params) == 0 || len(call.Call.Args) == 0 || call.Call.Args[0] != fn.Params[0] {
		return nil
	}
	inner := r.built(callee)
	if inner == nil || !inner.Fluent {
		return nil
	}
	c := &compiler{model: r, fn: fn}
	args := c.args(call.Call.Args)
	fact := &BuiltFact{Fluent: true}
	for _, s := range inner.Sets {
		fact.set(s.Field, s.Term.Substitute(args))
	}
	return fact
}

// set records that the builder sets field to t, once.
func (f *BuiltFact) set(field string, t *Term) {
	if !slices.ContainsFunc(f.Sets, func(s FieldTerm) bool { return s.Field == field && s.Term.String() == t.String() }) {
		f.Sets = append(f.Sets, FieldTerm{Field: field, Term: t})
	}
}

// builtSources returns the values that a call of a builder gives field
// name of the struct it returns: what the caller passed for the
// parameter the builder stores there, or, for a fluent setter that leaves
// the field alone, what the receiver it was called on holds.
func (r *Result) builtSources(call *ssa.Call, b *BuiltFact, name string, depth int) []Source {
	args := call.Call.Args
	if call.Call.IsInvoke() {
		args = append([]ssa.Value{call.Call.Value}, args...) // the receiver is $0
	}
	var srcs []Source
	for _, s := range b.Sets {
		if outer, inner, nested := strings.Cut(name, "."); nested && s.Field == outer {
			// The whole struct set (op.opts = defaults): its field.
			t := &Term{Op: TermField, Name: inner, Args: []*Term{s.Term}}
			srcs = append(srcs, Source{Term: t, Args: args, Pos: call.Pos()})
			continue
		}
		if s.Field != name {
			continue
		}
		if i, ok := s.Term.Passed(); ok && s.Term.Op == TermParam && i < len(args) {
			src := Source{Value: args[i], Pos: call.Pos()}
			if e := r.CallExpr(call.Pos()); e != nil && !e.Ellipsis.IsValid() {
				if j := i - (len(args) - len(e.Args)); j >= 0 && j < len(e.Args) {
					src.Expr, src.Pos = e.Args[j], e.Args[j].Pos()
				}
			}
			srcs = append(srcs, src)
			continue
		}
		srcs = append(srcs, Source{Term: s.Term, Args: args, Pos: call.Pos()})
	}
	if len(srcs) == 0 && b.Fluent && len(args) > 0 && depth < maxDepth {
		return r.fieldSources(args[0], name, depth+1)
	}
	return srcs
}

// builtBy reports whether v is what a call of a builder returns.
func (r *Result) builtBy(v ssa.Value) bool {
	call, ok := v.(*ssa.Call)
	return ok && r.builtCall(call) != nil
}

// builtCall returns the BuiltFact of the builder that call calls: a
// function, or a port's method whose implementations build alike
// (store.Write(key) on an edgekv.KV).
func (r *Result) builtCall(call *ssa.Call) *BuiltFact {
	if call.Call.IsInvoke() {
		return r.ifaces.builders[call.Call.Method]
	}
	if callee := call.Call.StaticCallee(); callee != nil {
		return r.built(callee)
	}
	return nil
}

// builtField returns the one source that a builder chain gives field
// name of the struct v, when v is the result of a builder's call.
func (r *Result) builtField(v ssa.Value, name string) (Source, bool) {
	if !r.builtBy(v) {
		return Source{}, false
	}
	srcs := r.fieldSources(v, name, 0)
	if len(srcs) != 1 {
		return Source{}, false
	}
	return srcs[0], true
}

// onBuilt reports whether t reads a field of an argument that a builder
// returned: (namespaceID (w $0)) of a chain's last step.
func (r *Result) onBuilt(t *Term, args []ssa.Value) bool {
	field := t.Find(func(s *Term) bool {
		return s.Op == TermField && len(s.Args) == 1 && s.Args[0].Op == TermParam && s.Args[0].Index < len(args)
	})
	return field != nil && r.builtBy(args[field.Args[0].Index])
}
