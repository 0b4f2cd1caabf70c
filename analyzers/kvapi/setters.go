package kvapi

import (
	"go/constant"
	"go/token"
	"go/types"
	"slices"
	"strings"

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
// WithTTL(30*time.Second). Only lifetimes and list limits are followed
// (WithPageSize(1500)): the key and value of a later call are that call's
// business.

// fieldOperands are the operands followed through fields.
var fieldOperands = []Operand{TTL, CacheTTL, Expiration, Limit}

// A fieldUse is an operation that takes an operand from a field: tmpl is
// its WrappedOp with the field's value as the one parameter, fieldSlot.
type fieldUse struct {
	field *types.Var
	tmpl  WrappedOp
}

// fieldSlot is the parameter index that stands for the field's value in a
// template; no function has that many parameters.
const fieldSlot = 1 << 20

// A FieldUsesFact lists the lifetimes that operations in a function read
// from fields of structs declared in other packages, each by its field's
// full name. The kvlint command gathers them from the whole program (see
// Interfaces), so that the package that declares the field finds its
// setters: the options of a storage port, applied by its adapter.
type FieldUsesFact struct {
	Uses []FieldUse
}

// A FieldUse is one operation's use of a field, as a template.
type FieldUse struct {
	Field string // example.com/kvport.WriteOptions.TTL
	Op    WrappedOp
}

func (*FieldUsesFact) AFact() {}

func (f *FieldUsesFact) String() string {
	var uses []string
	for _, u := range f.Uses {
		uses = append(uses, u.Field+": "+u.Op.String())
	}
	return "kv field uses: " + strings.Join(uses, "; ")
}

// findSetters exports a setter's WrappedOps for each function of the
// package that stores one of its parameters in a field that an operation
// reads a lifetime from, here or, as the kvlint command found, elsewhere.
func (r *Result) findSetters() {
	stores := r.fieldStoreInstrs()
	uses := r.fieldUses()
	for field, ss := range stores {
		id := fieldID(ss[0].Addr.(*ssa.FieldAddr))
		for _, tmpl := range r.ifaces.fieldTemplates(id, field) {
			uses = append(uses, fieldUse{field: field, tmpl: tmpl})
		}
		var fact fieldOperandsFact
		if field.Pkg() != r.pass.Pkg && r.pass.ImportObjectFact(field, &fact) {
			for _, tmpl := range fact.Ops {
				uses = append(uses, fieldUse{field: field, tmpl: tmpl})
			}
		}
	}
	all := slices.Clone(uses)
	used := usedFields{vars: make(map[*types.Var]bool), ids: joinKeys(r.ifaces.fields, r.ifaces.configured)}
	for _, u := range uses {
		used.vars[u.field] = true
	}
	setters := make(map[*ssa.Function][]WrappedOp)
	elsewhere := make(map[*types.Func][]FieldUse)
	// A field may be filled from another: NewRepo copies cfg.ttl, which
	// WithTTL set, into Repo.ttl. Each round follows one such copy.
	for round := 0; round < maxRounds && len(uses) > 0; round++ {
		var next []fieldUse
		for _, use := range uses {
			if clampedInPlace(use.field, stores[use.field]) {
				continue
			}
			for _, store := range stores[use.field] {
				if throughWrapper(store) {
					continue
				}
				outer := outermost(store.Parent())
				c := &compiler{model: r, fn: outer, fields: make(map[*Term]*types.Var)}
				stored := c.term(store.Val, 0)
				if countdownValue(store.Val) {
					// Opaque as a Term, but known for what it is.
					stored = &Term{Op: TermCall, Name: "time.Until"}
				}
				if !stored.Params() && len(stored.fieldsIn(c.fields, nil)) == 0 {
					if !inUnusedField(store, used) && !r.onlyForFakes(store) && !fieldsReadInPlace(store) && !r.choiceStore(store) {
						r.addStoredOperands(use.tmpl, stored, store)
					}
					continue
				}
				if stored.knownParams() {
					w := use.tmpl.fill(stored)
					w.Field = fieldLabel(store.Addr.(*ssa.FieldAddr))
					if !slices.ContainsFunc(setters[outer], func(x WrappedOp) bool { return sameOp(x, w) }) {
						setters[outer] = append(setters[outer], w)
					}
					continue
				}
				for _, from := range stored.fieldsIn(c.fields, nil) {
					if from == use.field {
						continue
					}
					through := fieldUse{field: from, tmpl: use.tmpl.fill(template(stored, c.fields, from))}
					next = append(next, through)
					if obj, ok := outer.Object().(*types.Func); ok && from.Pkg() != r.pass.Pkg {
						// Filled from a field declared elsewhere, whose
						// setters that package finds (see FieldUsesFact).
						id := fieldID(store.Addr.(*ssa.FieldAddr))
						c.ids = make(map[*types.Var]string)
						c.term(store.Val, 0)
						if name := c.ids[from]; name != "" {
							id = name
						}
						if id != "" { // an unnamed struct's field has no ID to share
							elsewhere[obj] = append(elsewhere[obj], FieldUse{Field: id, Op: through.tmpl})
						}
					}
				}
			}
		}
		uses = next
		all = append(all, next...)
	}
	r.exportFieldOperands(all)
	r.optionValueSetters(setters)
	for obj, us := range elsewhere {
		fact := new(FieldUsesFact)
		r.pass.ImportObjectFact(obj, fact)
		for _, u := range us {
			if !slices.ContainsFunc(fact.Uses, func(x FieldUse) bool { return x.Field == u.Field && sameOp(x.Op, u.Op) }) {
				fact.Uses = append(fact.Uses, u)
			}
		}
		r.pass.ExportObjectFact(obj, fact)
	}
	for fn, ops := range setters {
		obj, ok := fn.Object().(*types.Func)
		if !ok {
			continue
		}
		fact := new(WrapperFact)
		r.pass.ImportObjectFact(obj, fact)
		for _, w := range ops {
			if !slices.ContainsFunc(fact.Ops, func(x WrappedOp) bool { return sameOp(x, w) }) {
				fact.Ops = append(fact.Ops, w)
			}
		}
		r.pass.ExportObjectFact(obj, fact)
	}
}

// A fieldOperandsFact marks a field whose value operations of its own
// package read as an operand, with their templates: a package that fills
// the field, as a caller sets a config struct's TTL after it handed the
// struct to a constructor (cfg.TTL = 25 * time.Second), has the store
// checked where it is written.
type fieldOperandsFact struct {
	Ops []WrappedOp
}

func (*fieldOperandsFact) AFact() {}

func (f *fieldOperandsFact) String() string {
	var ops []string
	for _, w := range f.Ops {
		ops = append(ops, w.String())
	}
	return "kv field: " + strings.Join(ops, "; ")
}

// exportFieldOperands exports a fieldOperandsFact for each field of uses
// that the package declares.
func (r *Result) exportFieldOperands(uses []fieldUse) {
	for _, u := range uses {
		if u.field.Pkg() != r.pass.Pkg {
			continue
		}
		fact := new(fieldOperandsFact)
		r.pass.ImportObjectFact(u.field, fact)
		if !slices.ContainsFunc(fact.Ops, func(x WrappedOp) bool { return sameOp(x, u.tmpl) }) {
			fact.Ops = append(fact.Ops, u.tmpl)
			r.pass.ExportObjectFact(u.field, fact)
		}
	}
}

// optionValueSetters adds, for a setter that is a method applying an
// option value to settings, the functions that make that value from
// their parameters:
//
//	type ttlOption time.Duration
//	func (o ttlOption) apply(s *Settings) { s.TTL = time.Duration(o) }
//	func TTL(d time.Duration) Option { return ttlOption(d) }
//
// The adapter calls apply through the Option interface, so no call names
// TTL's argument; TTL itself is the setter its callers use.
func (r *Result) optionValueSetters(setters map[*ssa.Function][]WrappedOp) {
	byType := make(map[types.Type][]WrappedOp)
	for fn, ops := range setters {
		if recv := fn.Signature.Recv(); recv != nil && len(fn.Params) > 0 {
			byType[recv.Type()] = append(byType[recv.Type()], ops...)
		}
	}
	if len(byType) == 0 {
		return
	}
	for _, fn := range r.funcs {
		if fn.Signature.Recv() != nil || fn.Parent() != nil || fn.Signature.Results().Len() != 1 {
			continue
		}
		for _, b := range fn.Blocks {
			ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
			if !ok || len(ret.Results) != 1 {
				continue
			}
			made, ok := ret.Results[0].(*ssa.MakeInterface)
			if !ok {
				continue
			}
			c := &compiler{model: r, fn: fn}
			value := c.term(made.X, 0)
			for _, w := range byType[made.X.Type()] {
				out, ok := r.appliedTo(w, made.X, value, c)
				if ok && !slices.ContainsFunc(setters[fn], func(x WrappedOp) bool { return sameOp(x, out) }) {
					setters[fn] = append(setters[fn], out)
				}
			}
		}
	}
}

// appliedTo returns the setter w of a method, with its receiver the
// value v that fn makes (Term value): a field of the receiver is the one
// value v's literal stores in it.
func (r *Result) appliedTo(w WrappedOp, v ssa.Value, value *Term, c *compiler) (WrappedOp, bool) {
	known := true
	put := func(t *Term) *Term {
		return t.rewrite(func(s *Term) *Term {
			switch {
			case s.Op == TermParam && s.Index == 0:
				return value
			case s.Op == TermField && len(s.Args) == 1 && s.Args[0].Op == TermParam && s.Args[0].Index == 0:
				if srcs := r.fieldSources(v, s.Name, 0); len(srcs) == 1 {
					return c.term(srcs[0].Value, 0)
				}
				known = false
			case s.Op == TermParam:
				known = false
			}
			return nil
		})
	}
	out := w.mapTerms(put)
	return out, known && slices.ContainsFunc(out.Operands, func(ot OperandTerms) bool {
		return slices.ContainsFunc(ot.Terms, (*Term).knownParams)
	})
}

// usedFields are the fields operations read: of this package, and by ID
// those the kvlint command found read elsewhere.
type usedFields struct {
	vars map[*types.Var]bool
	ids  map[string]bool
}

// inUnusedField reports whether store fills a wrapper struct (one
// embedded field) that is itself kept in a field no operation reads: a config's
// Duration{15 * time.Second}, whose inner field a TTL is read through
// elsewhere (cfg.SessionTTL.Duration), kept here in PollInterval.
func inUnusedField(store *ssa.Store, used usedFields) bool {
	alloc, ok := filledStruct(store)
	if !ok {
		return false
	}
	if st, ok := derefStruct(alloc.Type()); !ok || st.NumFields() != 1 || !st.Field(0).Embedded() {
		return false
	}
	for _, ref := range *alloc.Referrers() {
		load, ok := ref.(*ssa.UnOp)
		if !ok || load.Op != token.MUL {
			continue
		}
		for _, r := range *load.Referrers() {
			if outer, ok := r.(*ssa.Store); ok && outer.Val == load {
				if ofa, ok := outer.Addr.(*ssa.FieldAddr); ok && !used.vars[FieldOf(ofa)] && !used.ids[fieldID(ofa)] {
					return true
				}
			}
		}
	}
	return false
}

// filledStruct returns the struct variable whose field store fills.
func filledStruct(store *ssa.Store) (*ssa.Alloc, bool) {
	fa, ok := store.Addr.(*ssa.FieldAddr)
	if !ok {
		return nil, false
	}
	alloc, ok := fa.X.(*ssa.Alloc)
	return alloc, ok
}

// fieldsReadInPlace reports whether store fills a field of a local
// variable that only the function, or its closures, read fields of: a
// copy of the defaults changed for one put (fresh := defaults;
// fresh.TTL = 30 * time.Second; put(k, v, fresh.TTL)). The put's own
// operand is then the constant, reported at the put, and checked there
// against what its wrapper does with it.
func fieldsReadInPlace(store *ssa.Store) bool {
	alloc, ok := filledStruct(store)
	if !ok {
		return false
	}
	var visit func(v ssa.Value) bool
	visit = func(v ssa.Value) bool {
		for _, ref := range *v.Referrers() {
			switch ref := ref.(type) {
			case *ssa.FieldAddr, *ssa.DebugRef:
			case *ssa.Store:
				if ref.Addr != v {
					return false // the variable goes elsewhere
				}
			case *ssa.MakeClosure:
				fn := ref.Fn.(*ssa.Function)
				for i, b := range ref.Bindings {
					if b == v && !visit(fn.FreeVars[i]) {
						return false
					}
				}
			default:
				return false // read whole: passed, returned or copied on
			}
		}
		return true
	}
	return visit(alloc)
}

// onlyForFakes reports whether store fills a struct that is only handed
// to methods of types that wrap no KV: the query an in-memory fake builds
// for its own List (ListQuery{Limit: 1 << 30}) reaches no KV.
func (r *Result) onlyForFakes(store *ssa.Store) bool {
	alloc, ok := filledStruct(store)
	if !ok {
		return false
	}
	uses := 0
	var visit func(v ssa.Value) bool
	visit = func(v ssa.Value) bool {
		for _, ref := range *v.Referrers() {
			switch ref := ref.(type) {
			case *ssa.UnOp:
				if ref.Op == token.MUL && !visit(ref) {
					return false
				}
			case *ssa.Store:
				if ref.Addr != v {
					return false // the struct goes elsewhere
				}
			case *ssa.FieldAddr, *ssa.DebugRef:
			case ssa.CallInstruction:
				callee := ref.Common().StaticCallee()
				if callee == nil || callee.Signature.Recv() == nil || !r.withoutKV(callee.Signature.Recv().Type()) {
					return false
				}
				uses++
			default:
				return false
			}
		}
		return true
	}
	return visit(alloc) && uses > 0
}

// A StoredOperand is an operand fixed where a value is stored in a field
// that a later operation reads it from, here or in another package: the
// defaults of a config package, Auth: AuthConfig{OTPTTL: 45 * time.Second},
// read several packages away and passed to WithTTL. Its Source's Term is
// the operation's operand with the stored value in it, and Expr and Pos
// are where the value is stored.
type StoredOperand struct {
	Operand Operand
	Source  Source
	Method  string // the operation, as WrappedOp.Method names it
	Role    Role
	Field   string // the field, as a reader names it: AuthConfig.OTPTTL
	// Template is the operand before the stored value is put in it: the
	// constants it has whatever is stored (a floor the operation's own
	// function clamps to) are that function's to report.
	Template *Term
	// stored is the value stored (see StoredOperandValues).
	stored ssa.Value
}

// addStoredOperands records the operands of w, an operation whose field
// value the package stores as a constant, outside its tests.
func (r *Result) addStoredOperands(tmpl WrappedOp, stored *Term, store *ssa.Store) {
	if r.InTestFile(store.Pos()) {
		return
	}
	w := tmpl.fill(stored)
	for i, ot := range w.Operands {
		for j, t := range ot.Terms {
			src := Source{Term: t, Conds: w.Conds, Expr: r.storedExpr(store), Pos: store.Pos(), Block: store.Block(), Duration: ot.Duration}
			so := StoredOperand{Operand: ot.Operand, Source: src, Template: tmpl.Operands[i].Terms[j], Method: w.Method, Role: w.Role, Field: fieldLabel(store.Addr.(*ssa.FieldAddr)), stored: store.Val}
			if !slices.ContainsFunc(r.StoredOperands, func(x StoredOperand) bool {
				return x.Operand == so.Operand && x.Source.Pos == src.Pos && x.Method == so.Method && x.Source.Term.String() == t.String()
			}) {
				r.StoredOperands = append(r.StoredOperands, so)
			}
		}
	}
}

// fieldUses returns the lifetimes that the package's operations read from
// fields, and exports those of fields declared elsewhere as facts.
func (r *Result) fieldUses() []fieldUse {
	var uses []fieldUse
	elsewhere := make(map[*types.Func][]FieldUse)
	// r.Ops still holds the calls of setters, which may pass on a field:
	// repo.WithTTL(s.leaseTTL).
	for _, op := range r.Ops {
		if op.Dispatched() {
			// What an engine's call hands the function it runs is judged
			// at the call: a field it reads there (retry.InitialInterval *
			// 4) is that value's, not every store of the field's.
			continue
		}
		fn := outermost(op.Call.Parent())
		for _, o := range fieldOperands {
			for _, src := range op.Sources(o) {
				c := &compiler{model: r, fn: fn, fields: make(map[*Term]*types.Var), ids: make(map[*types.Var]string)}
				t := c.guarded(src, op)
				conds := c.opConds(op.Call.Block())
				if op.Wrapped != nil {
					args := c.args(op.Args)
					for _, cd := range op.Wrapped.Conds {
						conds = append(conds, Cond{Term: cd.Term.Substitute(args), Want: cd.Want})
					}
				}
				for _, field := range t.fieldsIn(c.fields, nil) {
					tmpl := WrappedOp{Role: op.Method.Role, Method: op.Method.FullName()}
					if op.Wrapped != nil {
						tmpl.Method = op.Wrapped.Method
					}
					tmpl.Operands = []OperandTerms{{Operand: o, Terms: []*Term{unsetAsZero(template(t, c.fields, field))}, Duration: src.Duration}}
					for _, cd := range conds {
						tmpl.Conds = append(tmpl.Conds, Cond{Term: template(cd.Term, c.fields, field), Want: cd.Want})
					}
					uses = append(uses, fieldUse{field: field, tmpl: tmpl})
					if obj, ok := fn.Object().(*types.Func); ok && field.Pkg() != r.pass.Pkg && c.ids[field] != "" {
						elsewhere[obj] = append(elsewhere[obj], FieldUse{Field: c.ids[field], Op: tmpl})
					}
				}
			}
		}
	}
	for obj, us := range elsewhere {
		r.pass.ExportObjectFact(obj, &FieldUsesFact{Uses: us})
	}
	return uses
}

// unsetAsZero returns t with each phi that is 0 where its value is not
// given and the value elsewhere replaced by the value (see
// zeroWhenUnset): the value's own bound, a countdown, is then what the
// field's setters are checked against.
func unsetAsZero(t *Term) *Term {
	return t.rewrite(func(s *Term) *Term {
		if s.Op == TermPhi {
			if v := zeroWhenUnset(s); v != nil {
				return unsetAsZero(v)
			}
		}
		return nil
	})
}

// template returns t, which reads field where known says, as a Term of
// the field's value alone: the field is fieldSlot, and what else the
// operation's function knows is opaque.
func template(t *Term, known map[*Term]*types.Var, field *types.Var) *Term {
	return t.rewrite(func(s *Term) *Term {
		switch {
		case known[s] == field:
			return &Term{Op: TermParam, Index: fieldSlot}
		case s.Op == TermParam:
			return opaque
		}
		return nil
	})
}

// fill returns the operation of a template with the field's value given.
func (w WrappedOp) fill(value *Term) WrappedOp {
	put := func(t *Term) *Term {
		return t.rewrite(func(s *Term) *Term {
			if s.Op == TermParam && s.Index == fieldSlot {
				return value
			}
			return nil
		})
	}
	return w.mapTerms(put)
}

// mapTerms returns w with put applied to each of its operands' Terms and
// conditions.
func (w WrappedOp) mapTerms(put func(*Term) *Term) WrappedOp {
	out := w
	out.Operands = nil
	for _, ot := range w.Operands {
		c := ot
		c.Terms = nil
		for _, t := range ot.Terms {
			c.Terms = append(c.Terms, put(t))
		}
		out.Operands = append(out.Operands, c)
	}
	out.Conds = nil
	for _, cd := range w.Conds {
		out.Conds = append(out.Conds, Cond{Term: put(cd.Term), Want: cd.Want})
	}
	return out
}

// knownParams reports whether t computes with parameters in a way that
// Terms express, not only as something opaque made from them.
func (t *Term) knownParams() bool {
	return t.rewrite(func(s *Term) *Term {
		if s.Op == TermOpaque {
			return opaque
		}
		return nil
	}).Params()
}

// givenByCaller reports whether t depends on what a caller gives, other
// than through a field of the method's receiver, which the object was
// given before (findSetters follows it to the setter that did).
func (t *Term) givenByCaller(method bool) bool {
	return t.rewrite(func(s *Term) *Term {
		if i, ok := rootParam(s); ok && i == 0 && method && s.Op == TermField {
			return opaque
		}
		return nil
	}).Params()
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
		return ok && FieldOf(fa) == field
	}
	for _, store := range stores {
		if call, ok := store.Val.(*ssa.Call); ok && slices.ContainsFunc(call.Call.Args, reads) && !lowers(call) {
			return true
		}
		if raisedUnder(store, reads) {
			return true
		}
	}
	return false
}

// countdownValue reports whether v is a countdown to a moment, time.Until(t)
// or t.Sub(now), stored as it is: SessionTTL: time.Until(sh.Ends) in a
// message. The moment is no lifetime to follow to its own stores.
func countdownValue(v ssa.Value) bool {
	call, ok := v.(*ssa.Call)
	if !ok {
		return false
	}
	name := CalleeName(call)
	return CountdownFunc(name) && (name == "time.Until" || Clock(call.Call.Args[1]))
}

// raisedUnder reports whether store runs only under a branch on a value
// that reads tells, in the direction that raises it: the store of "if
// c.ttl < time.Minute { c.ttl = time.Minute }".
func raisedUnder(store *ssa.Store, reads func(ssa.Value) bool) bool {
	for _, d := range store.Parent().Blocks {
		br, ok := d.Instrs[len(d.Instrs)-1].(*ssa.If)
		if !ok {
			continue
		}
		cond, ok := br.Cond.(*ssa.BinOp)
		if !ok || !reads(cond.X) && !reads(cond.Y) || unsetTest(cond) {
			continue
		}
		for i, succ := range d.Succs {
			if len(succ.Preds) == 1 && succ.Dominates(store.Block()) && raises(cond, reads(cond.X), i == 0) {
				return true
			}
		}
	}
	return false
}

// lowers reports whether call is the builtin min: c.ttl = min(c.ttl, cap)
// caps a lifetime from above and leaves a low one as low as it was.
func lowers(call *ssa.Call) bool {
	b, ok := call.Call.Value.(*ssa.Builtin)
	return ok && b.Name() == "min"
}

// raises reports whether a store under cond, on its true branch or its
// false one, can only raise the field: "if c.ttl < time.Minute" is a
// floor, "if cap < c.ttl { c.ttl = cap }" a ceiling. fieldLeft says on
// which side of cond the field is.
func raises(cond *ssa.BinOp, fieldLeft, onTrue bool) bool {
	less := cond.Op == token.LSS || cond.Op == token.LEQ
	if cond.Op != token.GTR && cond.Op != token.GEQ && !less {
		return true // not an order: keep the old reading, a clamp
	}
	return less == fieldLeft == onTrue
}

// throughWrapper reports whether store sets the one, embedded field of a
// wrapper type (type Duration struct{ time.Duration }) through a pointer
// (d.p.Duration = d.v): every setting of that type shares the field, and
// which setting the pointer holds is not known. A literal of the type
// filled for a known setting is inUnusedField's.
func throughWrapper(store *ssa.Store) bool {
	fa := store.Addr.(*ssa.FieldAddr)
	st, ok := derefStruct(fa.X.Type())
	if !ok || st.NumFields() != 1 || !st.Field(0).Embedded() {
		return false
	}
	_, filled := filledStruct(store)
	return !filled
}

// unsetTest reports whether cond only asks whether a value was set (c.ttl
// == 0, c.ttl <= 0): a default filled in there leaves a value that was
// set, too low or not, as it was.
func unsetTest(cond *ssa.BinOp) bool {
	if cond.Op == token.EQL || cond.Op == token.NEQ {
		return true
	}
	for _, v := range []ssa.Value{cond.X, cond.Y} {
		if k, ok := v.(*ssa.Const); ok && k.Value != nil && constant.Sign(k.Value) == 0 {
			return true
		}
	}
	return false
}

// StoredInField returns the values that the package stores into field,
// wherever it does: a limiter that a constructor keeps in a field, read
// by a method. (It walks the package each time: for rare questions.)
func (r *Result) StoredInField(field *types.Var) []ssa.Value {
	var vals []ssa.Value
	for _, store := range r.fieldStoreInstrs()[field] {
		vals = append(vals, store.Val)
	}
	return vals
}

// fieldStoreInstrs returns the package's stores into each field.
func (r *Result) fieldStoreInstrs() map[*types.Var][]*ssa.Store {
	stores := make(map[*types.Var][]*ssa.Store)
	for _, fn := range r.funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if store, ok := instr.(*ssa.Store); ok {
					if fa, ok := store.Addr.(*ssa.FieldAddr); ok {
						if field := FieldOf(fa); field != nil {
							stores[field] = append(stores[field], store)
						}
					}
				}
			}
		}
	}
	return stores
}

// rewrite returns t with each Term for which fn returns a replacement
// replaced, in its arguments and conditions alike.
func (t *Term) rewrite(fn func(*Term) *Term) *Term {
	return bounded(t.rewriteShared(fn, make(map[*Term]*Term)))
}

// rewriteShared is rewrite with the result for each shared part kept in
// done: a Term is a graph whose parts are shared, and written out in
// full it can be exponentially larger than the graph.
func (t *Term) rewriteShared(fn func(*Term) *Term, done map[*Term]*Term) *Term {
	if r, ok := done[t]; ok {
		return r
	}
	r := fn(t)
	switch {
	case r != nil:
	case len(t.Args) == 0 && t.Conds == nil:
		r = t
	default:
		c := *t
		c.Args = make([]*Term, len(t.Args))
		for i, a := range t.Args {
			c.Args[i] = a.rewriteShared(fn, done)
		}
		if t.Conds != nil {
			c.Conds = make([][]Cond, len(t.Conds))
			for i, conds := range t.Conds {
				for _, cd := range conds {
					c.Conds[i] = append(c.Conds[i], Cond{Term: cd.Term.rewriteShared(fn, done), Want: cd.Want})
				}
			}
		}
		r = &c
	}
	done[t] = r
	return r
}

// Find returns the first Term within t, t included, that match reports.
func (t *Term) Find(match func(*Term) bool) *Term {
	if match(t) {
		return t
	}
	for _, a := range t.Args {
		if f := a.Find(match); f != nil {
			return f
		}
	}
	return nil
}

// fieldID names the field that fa addresses in full:
// example.com/kvport.WriteOptions.TTL.
func fieldID(fa *ssa.FieldAddr) string {
	return fieldIDOf(fa.X, fa.Field)
}

// fieldIDOf names field i of the struct x addresses or holds in full. A
// field of an unnamed struct is named by the path to it from the named
// struct it is in, cfg.Storage.Sessions.TTL's as
// example.com/config.Config.Storage.Sessions.TTL; "" when there is none.
func fieldIDOf(x ssa.Value, i int) string {
	t := x.Type()
	if ptr, ok := t.Underlying().(*types.Pointer); ok {
		t = ptr.Elem()
	}
	if id := namedFieldID(t, i); id != "" {
		return id
	}
	if _, ok := types.Unalias(t).(*types.Named); ok {
		return ""
	}
	var outer string
	switch x := x.(type) {
	case *ssa.FieldAddr:
		outer = fieldIDOf(x.X, x.Field)
	case *ssa.Field:
		outer = fieldIDOf(x.X, x.Field)
	}
	if outer == "" {
		return ""
	}
	return outer + "." + fieldName(t, i)
}

func namedFieldID(t types.Type, i int) string {
	named, ok := types.Unalias(t).(*types.Named)
	if !ok || named.Obj().Pkg() == nil {
		return ""
	}
	return named.Obj().Pkg().Path() + "." + named.Obj().Name() + "." + fieldName(t, i)
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

// A clampsFact marks a function that raises a lifetime it was given to a
// floor before it uses it: a decorator's Put that applies its callers'
// options and lifts a TTL under a minimum, then passes it on. Fields are
// the labels of the fields it clamps in place, as WrappedOp.Field names
// them.
type clampsFact struct {
	Fields []string
}

func (*clampsFact) AFact() {}

func (f *clampsFact) String() string { return "clamps " + strings.Join(f.Fields, ", ") }

// exportClamps exports a clampsFact for each function of the package that
// clamps a field in place (see clampedInPlace).
func (r *Result) exportClamps() {
	r.clamps = make(map[*ssa.Function][]string)
	for _, fn := range r.funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				store, ok := instr.(*ssa.Store)
				if !ok {
					continue
				}
				fa, ok := store.Addr.(*ssa.FieldAddr)
				if !ok || !basic(store.Val.Type(), types.IsInteger|types.IsFloat) || !clampedInPlace(FieldOf(fa), []*ssa.Store{store}) || belowMinute(store.Val) {
					continue // (a lifetime or a limit is a number)
				}
				outer := outermost(fn)
				if label := fieldLabel(fa); !slices.Contains(r.clamps[outer], label) {
					r.clamps[outer] = append(r.clamps[outer], label)
				}
			}
		}
	}
	for fn, fields := range r.clamps {
		if obj, ok := fn.Object().(*types.Func); ok {
			r.pass.ExportObjectFact(obj, &clampsFact{Fields: fields})
		}
	}
}

// belowMinute reports whether v is a constant lifetime under KV's minimum,
// a floor that lifts nothing to a legal value: if ttl < 30*time.Second {
// ttl = 30*time.Second }.
func belowMinute(v ssa.Value) bool {
	c, ok := v.(*ssa.Const)
	if !ok || c.Value == nil {
		return false
	}
	f, _ := constant.Float64Val(constant.ToFloat(c.Value))
	if IsDuration(v.Type()) {
		f /= nsPerUnit["Seconds"]
	}
	return f < 60
}

// clampedBy reports whether the option that a setter's call makes goes
// only to calls of functions that clamp the setter's field before they
// use it: clamped.Put(ctx, k, v, WithTTL(20*time.Second)) asks for 20 s
// and gets the decorator's floor.
func (r *Result) clampedBy(call ssa.CallInstruction, field string) bool {
	v, ok := call.(*ssa.Call)
	if !ok {
		return false
	}
	calls := optionCalls(v)
	if len(calls) == 0 {
		return false
	}
	for _, c := range calls {
		callee := c.Common().StaticCallee()
		if callee == nil {
			return false
		}
		fields, ok := r.clamps[outermost(callee)]
		if callee.Pkg != r.pkg {
			var fact clampsFact
			if obj, isFunc := callee.Object().(*types.Func); isFunc && r.pass.ImportObjectFact(obj.Origin(), &fact) {
				fields, ok = fact.Fields, true
			}
		}
		if !ok || !slices.Contains(fields, field) {
			return false
		}
	}
	return true
}

// optionCalls returns the calls that an option value is passed to, as an
// argument or in the slice of a variadic parameter; nil when it goes
// anywhere else too.
func optionCalls(v ssa.Value) []ssa.CallInstruction {
	var calls []ssa.CallInstruction
	for _, ref := range *v.Referrers() {
		switch ref := ref.(type) {
		case *ssa.DebugRef:
		case ssa.CallInstruction:
			calls = append(calls, ref)
		case *ssa.Store: // an element of the variadic array: opts...
			ia, ok := ref.Addr.(*ssa.IndexAddr)
			if !ok || ref.Val != v {
				return nil
			}
			array, ok := ia.X.(*ssa.Alloc)
			if !ok {
				return nil
			}
			for _, use := range *array.Referrers() {
				switch use := use.(type) {
				case *ssa.IndexAddr, *ssa.DebugRef:
				case *ssa.Slice:
					for _, s := range *use.Referrers() {
						switch s := s.(type) {
						case *ssa.DebugRef:
						case ssa.CallInstruction:
							calls = append(calls, s)
						default:
							return nil
						}
					}
				default:
					return nil
				}
			}
		default:
			return nil
		}
	}
	return calls
}
