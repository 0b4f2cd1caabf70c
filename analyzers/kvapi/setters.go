package kvapi

import (
	"go/types"
	"slices"

	"golang.org/x/tools/go/ssa"
)

// Lifetimes kept in struct fields. A store's read-cache TTL, a limiter's
// window or a repository's TTL is given once, to a constructor, an option
// or a config struct, and read by a method that calls KV later:
//
//	func WithTTL(d time.Duration) Option { return func(r *Repo) { r.ttl = d } }
//	func (r *Repo) Put(k string, v []byte) error { return r.kv.Set(k, v, r.ttl) }
//
// The function that stores its parameter in such a field is a setter: a
// call of it gives the operand as surely as a call of Put would, and it
// is summarised the same way, as a WrappedOp whose Field names the field.
// Its callers' arguments are then checked where they are written:
// WithTTL(30*time.Second). Only lifetimes are followed: the key and value
// of a later call are that call's business.

// fieldOperands are the operands followed through fields.
var fieldOperands = []Operand{TTL, CacheTTL, Expiration}

// A fieldUse is an operand of an operation of this package computed from
// a field: its Term, in the operation's function, names the field.
type fieldUse struct {
	field *types.Var
	op    *Op
	ot    OperandTerms // the operand, one Term
	conds []Cond
	terms map[*Term]*types.Var
}

// findSetters exports a setter's WrappedOps for each function of the
// package that stores one of its parameters in a field that an operation
// reads a lifetime from.
func (r *Result) findSetters() {
	uses := r.fieldUses()
	stores := r.fieldStoreInstrs()
	setters := make(map[*ssa.Function][]WrappedOp)
	// A field may be filled from another: NewRepo copies cfg.ttl, which
	// WithTTL set, into Repo.ttl. Each round follows one such copy.
	for round := 0; round < maxRounds && len(uses) > 0; round++ {
		var next []fieldUse
		for _, use := range uses {
			if clampedInPlace(use.field, stores[use.field]) {
				continue
			}
			for _, store := range stores[use.field] {
				outer := outermost(store.Parent())
				c := &compiler{model: r, fn: outer, fields: make(map[*Term]*types.Var)}
				stored := c.term(store.Val, 0)
				if stored.Params() {
					setters[outer] = append(setters[outer], use.setter(stored, fieldLabel(store.Addr.(*ssa.FieldAddr))))
					continue
				}
				for _, from := range stored.fieldsIn(c.fields, nil) {
					if from != use.field {
						next = append(next, use.through(from, stored, c.fields))
					}
				}
			}
		}
		uses = next
	}
	for fn, ops := range setters {
		obj, ok := fn.Object().(*types.Func)
		if !ok {
			continue
		}
		fact := new(WrapperFact)
		r.pass.ImportObjectFact(obj, fact)
		fact.Ops = append(fact.Ops, ops...)
		r.pass.ExportObjectFact(obj, fact)
	}
}

// clampedInPlace reports whether the package corrects the field after it
// is set, whatever the setter was given: a store under a condition on the
// field itself, "if c.ttl < time.Minute { c.ttl = time.Minute }", or of a
// value computed from it, c.ttl = max(c.ttl, time.Minute).
func clampedInPlace(field *types.Var, stores []*ssa.Store) bool {
	reads := func(v ssa.Value) bool {
		load, ok := v.(*ssa.UnOp)
		if !ok {
			return false
		}
		fa, ok := load.X.(*ssa.FieldAddr)
		return ok && fieldOf(fa) == field
	}
	for _, store := range stores {
		if call, ok := store.Val.(*ssa.Call); ok && slices.ContainsFunc(call.Call.Args, reads) {
			return true
		}
		for _, d := range store.Parent().Blocks {
			br, ok := d.Instrs[len(d.Instrs)-1].(*ssa.If)
			if !ok {
				continue
			}
			cond, ok := br.Cond.(*ssa.BinOp)
			if !ok || !reads(cond.X) && !reads(cond.Y) {
				continue
			}
			for _, succ := range d.Succs {
				if len(succ.Preds) == 1 && succ.Dominates(store.Block()) {
					return true
				}
			}
		}
	}
	return false
}

// fieldStoreInstrs returns the package's stores into each field.
func (r *Result) fieldStoreInstrs() map[*types.Var][]*ssa.Store {
	stores := make(map[*types.Var][]*ssa.Store)
	for _, fn := range r.funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if store, ok := instr.(*ssa.Store); ok {
					if fa, ok := store.Addr.(*ssa.FieldAddr); ok {
						if field := fieldOf(fa); field != nil {
							stores[field] = append(stores[field], store)
						}
					}
				}
			}
		}
	}
	return stores
}

// through returns the use of field from that u becomes when u's field is
// filled with stored, which reads from.
func (u fieldUse) through(from *types.Var, stored *Term, known map[*Term]*types.Var) fieldUse {
	replace := func(t *Term) *Term { return t.replaceField(u.terms, u.field, stored) }
	next := fieldUse{field: from, op: u.op, ot: u.ot, terms: known}
	next.ot.Terms = []*Term{replace(u.ot.Terms[0])}
	for _, cd := range u.conds {
		next.conds = append(next.conds, Cond{Term: replace(cd.Term), Want: cd.Want})
	}
	return next
}

// fieldUses returns the lifetimes that the package's operations read from
// fields.
func (r *Result) fieldUses() []fieldUse {
	var uses []fieldUse
	for _, op := range r.Ops {
		if op.Wrapped != nil && op.Wrapped.Field != "" {
			continue // a setter's call stores; it reads nothing
		}
		fn := outermost(op.Call.Parent())
		for _, o := range fieldOperands {
			for _, src := range op.Sources(o) {
				c := &compiler{model: r, fn: fn, fields: make(map[*Term]*types.Var)}
				t := c.guarded(src, op)
				conds := c.Conds(op.Call.Block(), 0)
				if op.Wrapped != nil {
					args := c.args(op.Args)
					for _, cd := range op.Wrapped.Conds {
						conds = append(conds, Cond{Term: cd.Term.Substitute(args), Want: cd.Want})
					}
				}
				for _, field := range t.fieldsIn(c.fields, nil) {
					uses = append(uses, fieldUse{
						field: field, op: op, conds: conds, terms: c.fields,
						ot: OperandTerms{Operand: o, Terms: []*Term{t}, Duration: src.Duration},
					})
				}
			}
		}
	}
	return uses
}

// fieldsIn appends the fields that t reads, once each.
func (t *Term) fieldsIn(known map[*Term]*types.Var, out []*types.Var) []*types.Var {
	if f := known[t]; f != nil && !slices.Contains(out, f) {
		out = append(out, f)
	}
	for _, a := range t.Args {
		out = a.fieldsIn(known, out)
	}
	return out
}

// setter is the WrappedOp of a function that stores stored in the field.
func (u fieldUse) setter(stored *Term, label string) WrappedOp {
	replace := func(t *Term) *Term { return t.replaceField(u.terms, u.field, stored) }
	w := WrappedOp{Role: u.op.Method.Role, Method: u.op.Method.FullName(), Field: label}
	if u.op.Wrapped != nil {
		w.Method = u.op.Wrapped.Method
	}
	ot := u.ot
	ot.Terms = []*Term{replace(ot.Terms[0])}
	w.Operands = []OperandTerms{ot}
	for _, cd := range u.conds {
		w.Conds = append(w.Conds, Cond{Term: replace(cd.Term), Want: cd.Want})
	}
	return w
}

// replaceField returns t with each Term that reads field replaced by with.
func (t *Term) replaceField(known map[*Term]*types.Var, field *types.Var, with *Term) *Term {
	return t.rewrite(func(s *Term) *Term {
		if known[s] == field {
			return with
		}
		return nil
	})
}

// rewrite returns t with each Term for which fn returns a replacement
// replaced, in its arguments and conditions alike.
func (t *Term) rewrite(fn func(*Term) *Term) *Term {
	if r := fn(t); r != nil {
		return r
	}
	if len(t.Args) == 0 && t.Conds == nil {
		return t
	}
	c := *t
	c.Args = make([]*Term, len(t.Args))
	for i, a := range t.Args {
		c.Args[i] = a.rewrite(fn)
	}
	if t.Conds != nil {
		c.Conds = make([][]Cond, len(t.Conds))
		for i, conds := range t.Conds {
			for _, cd := range conds {
				c.Conds[i] = append(c.Conds[i], Cond{Term: cd.Term.rewrite(fn), Want: cd.Want})
			}
		}
	}
	return &c
}

// find returns the first Term within t, t included, that match reports.
func (t *Term) find(match func(*Term) bool) *Term {
	if match(t) {
		return t
	}
	for _, a := range t.Args {
		if f := a.find(match); f != nil {
			return f
		}
	}
	return nil
}

// fieldLabel names the field that fa addresses as a reader would: Repo.ttl.
func fieldLabel(fa *ssa.FieldAddr) string {
	t := fa.X.Type()
	if ptr, ok := t.Underlying().(*types.Pointer); ok {
		t = ptr.Elem()
	}
	name := fieldName(t, fa.Field)
	if named, ok := types.Unalias(t).(*types.Named); ok {
		return named.Obj().Name() + "." + name
	}
	return name
}
