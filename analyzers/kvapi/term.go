package kvapi

import (
	"fmt"
	"go/constant"
	"go/token"
	"go/types"
	"math"
	"slices"
	"strings"

	"golang.org/x/tools/go/ssa"
)

// A Term is an expression over a function's parameters, in a form that
// analysis facts can carry to other packages: how an operand of the KV
// operation inside a wrapper is computed from what its caller passes.
// For Cache.Set(key, v string, ttl time.Duration) the TTL is
// int(ttl.Seconds()): Convert{int}(Call{Seconds}(Param 3)).
type Term struct {
	Op    TermOp
	Index int           // TermParam: parameter index, the receiver first
	Value string        // TermConst: the constant, exactly; a reading of the clock: which (see readingID)
	Kind  constant.Kind // TermConst
	Tok   token.Token   // TermUnOp, TermBinOp
	Name  string        // TermConvert, TermBinOp: int, float, string; TermCall: function; TermField, TermGlobal: name
	Args  []*Term
	Conds [][]Cond // TermPhi: for each of Args, the branches that lead to it
}

// TermOp is the kind of a Term.
type TermOp uint8

const (
	TermOpaque TermOp = iota // not known at compile time, nor comparable; Args are the parameters it depends on
	TermParam
	TermConst
	TermConvert
	TermUnOp
	TermBinOp
	TermCall
	TermField
	TermGlobal
	TermPhi
	TermElems      // the elements of the slice Args[0]; only under TermField
	TermImplements // whether Args[0] has the methods Name lists (v.(interface{ Expiry() time.Duration }))
	TermQuery      // the number that the request options in the slice Args[0] send as query parameter Name
)

// A Cond is a branch condition and the outcome that a path needs.
type Cond struct {
	Term *Term
	Want bool
}

var opaque = &Term{Op: TermOpaque}

// CountsDown reports whether t is computed from a countdown to a moment:
// time.Until(t) or t.Sub(now).
func (t *Term) CountsDown() bool {
	return t.Find(func(x *Term) bool { return x.Op == TermCall && CountdownFunc(x.Name) }) != nil
}

// ReadsClockID reports whether t reads the clock in nanoseconds or
// microseconds, time.Now().UnixNano(): an ID new on every call.
func (t *Term) ReadsClockID() bool {
	return t.Find(func(x *Term) bool {
		return x.Op == TermCall && (x.Name == "(time.Time).UnixNano" || x.Name == "(time.Time).UnixMicro") &&
			len(x.Args) == 1 && x.Args[0].Op == TermCall && x.Args[0].Name == "time.Now"
	}) != nil
}

// CountdownFunc reports whether the function of that full name counts
// down to a moment: time.Until, or (time.Time).Sub when given now.
func CountdownFunc(name string) bool {
	return name == "time.Until" || name == "(time.Time).Sub"
}

// Params reports whether t depends on a parameter.
func (t *Term) Params() bool {
	if t.Op == TermParam {
		return true
	}
	for _, a := range t.Args {
		if a.Params() {
			return true
		}
	}
	return false
}

// Picked reports whether t chooses among its values by a parameter: a
// phi whose branches test one for equality, as the switch of k.TTL() on
// a kind k given.
func (t *Term) Picked() bool {
	return t.Find(func(s *Term) bool {
		return s.Op == TermPhi && slices.ContainsFunc(s.Conds, func(conds []Cond) bool {
			return slices.ContainsFunc(conds, func(c Cond) bool { return paramEqualsConst(c.Term) })
		})
	}) != nil
}

// shiftParams returns t with each parameter numbered n higher: a Term of
// another call's arguments, appended after these.
func (t *Term) shiftParams(n int) *Term {
	return t.rewrite(func(s *Term) *Term {
		if s.Op == TermParam {
			return &Term{Op: TermParam, Index: s.Index + n}
		}
		return nil
	})
}

// appendParams appends the parameters that t uses, once each.
func (t *Term) appendParams(params []*Term) []*Term {
	if t.Op == TermParam {
		if !slices.ContainsFunc(params, func(p *Term) bool { return p.Index == t.Index }) {
			params = append(params, t)
		}
		return params
	}
	for _, a := range t.Args {
		params = a.appendParams(params)
	}
	return params
}

func (t *Term) String() string {
	var b strings.Builder
	t.write(&b) // into one builder: concatenating at each level costs the square of the depth
	return b.String()
}

func (t *Term) write(b *strings.Builder) {
	switch t.Op {
	case TermParam:
		fmt.Fprintf(b, "$%d", t.Index)
		return
	case TermConst:
		b.WriteString(t.Value)
		return
	case TermGlobal:
		b.WriteString(t.Name)
		return
	case TermOpaque:
		b.WriteString("?")
		return
	}
	name := t.Name
	switch t.Op {
	case TermUnOp, TermBinOp:
		name = t.Tok.String()
	case TermImplements:
		name = "implements " + t.Name
	case TermQuery:
		name = "query " + t.Name
	}
	b.WriteString("(" + name + " ")
	for i, a := range t.Args {
		if i > 0 {
			b.WriteString(" ")
		}
		a.write(b)
	}
	b.WriteString(")")
}

// Arithmetic reports whether t adds, subtracts, multiplies or divides:
// a wrapper that writes prev+1 counts itself.
func (t *Term) Arithmetic() bool {
	return t.Find(func(s *Term) bool {
		return s.Op == TermBinOp && (s.Tok == token.ADD || s.Tok == token.SUB || s.Tok == token.MUL || s.Tok == token.QUO) && s.Name != "string"
	}) != nil
}

// compiler turns the SSA values of one function into Terms.
type compiler struct {
	model *Result
	fn    *ssa.Function
	outer *ssa.Function // the factory that returns fn, whose parameters follow fn's in Terms
	// fields records the struct field that each TermField names, for
	// the setters of fields (see findSetters); nil when not needed.
	fields map[*Term]*types.Var
	ids    map[*types.Var]string // and their full names, when not nil
	memo   map[termKey]*Term     // see term
	// override gives the Terms of values that stand for others: the
	// parts of a buffered entry, by what a stager stores (see
	// findBuffers).
	override map[ssa.Value]*Term
}

// field returns the Term of field i of the struct x addresses or holds.
func (c *compiler) field(x ssa.Value, i int, depth int) *Term {
	if phi, ok := x.(*ssa.Phi); ok {
		if t := c.defaultedField(phi, i, depth); t != nil {
			return t
		}
	}
	t := &Term{Op: TermField, Name: fieldName(x.Type(), i), Args: []*Term{c.term(x, depth+1)}}
	if c.fields != nil {
		if st, ok := derefStruct(x.Type()); ok && i < st.NumFields() {
			field := st.Field(i).Origin() // one field for every instance of a generic type
			c.fields[t] = field
			if c.ids != nil {
				c.ids[field] = fieldIDOf(x, i)
			}
		}
	}
	return t
}

// defaultedField returns the Term of field i of phi, an options
// parameter put in place of nil by a literal (if o == nil { o =
// &Options{} }): the caller's field where it gives options, the
// literal's where it does not. It returns nil for other phis.
func (c *compiler) defaultedField(phi *ssa.Phi, i int, depth int) *Term {
	var given, made bool
	for _, e := range phi.Edges {
		switch e.(type) {
		case *ssa.Parameter:
			given = true
		case *ssa.Alloc:
			made = true
		default:
			return nil
		}
	}
	if !given || !made || depth > maxDepth {
		return nil
	}
	// A literal that leaves the field zero gives no value: where the
	// caller gives none either, the operand is not set.
	var param ssa.Value
	unset := true
	for _, e := range phi.Edges {
		if _, isParam := e.(*ssa.Parameter); isParam {
			if param != nil && param != e {
				unset = false
			}
			param = e
		} else if fieldStoreOnce(e, i) != nil || fieldStored(e.(*ssa.Alloc), i) {
			unset = false
		}
	}
	if unset {
		return c.field(param, i, depth+1)
	}
	t := &Term{Op: TermPhi}
	for j, e := range phi.Edges {
		way := opaque
		if _, isParam := e.(*ssa.Parameter); isParam {
			way = c.field(e, i, depth+1)
		} else if st := fieldStoreOnce(e, i); st != nil {
			way = c.term(st.Val, depth+1)
		}
		pred := phi.Block().Preds[j]
		t.Args = append(t.Args, way)
		t.Conds = append(t.Conds, append(c.branch(pred, phi.Block(), depth), c.Conds(pred, depth)...))
	}
	return t
}

// choice returns the Term of field i of x, when x is what a policy
// returns that picks one of several literals: policy.For(plan).CacheTTL
// (see choiceTerm).
func (c *compiler) choice(x ssa.Value, i int, depth int) *Term {
	call := callBehind(x)
	if call == nil {
		return nil
	}
	t := c.model.choiceOf(call.Call.StaticCallee(), i)
	if t == nil {
		return nil
	}
	var args []*Term
	for _, a := range call.Call.Args {
		args = append(args, c.term(a, depth+1))
	}
	return t.Substitute(args)
}

func (c *compiler) term(v ssa.Value, depth int) *Term {
	// Phis and the branches that lead to them share their inputs: without
	// memory, a chain of them costs exponential time.
	if t, ok := c.override[v]; ok {
		return t
	}
	key := termKey{v, depth}
	if t, ok := c.memo[key]; ok {
		return t
	}
	t := bounded(c.known(v, depth))
	if t.Op == TermOpaque && t == opaque {
		t = c.opaqueOf(v)
	}
	if c.memo == nil {
		c.memo = make(map[termKey]*Term)
	}
	c.memo[key] = t
	return t
}

type termKey struct {
	v     ssa.Value
	depth int
}

// opaqueOf is the Term of a value that Terms cannot express, such as
// json.Marshal(v): it keeps which parameters the value is computed from.
func (c *compiler) opaqueOf(v ssa.Value) *Term {
	var deps []*Term
	for i, p := range c.fn.Params {
		if c.model.DependsOn(v, nil, []ssa.Value{p}) {
			deps = append(deps, &Term{Op: TermParam, Index: i})
		}
	}
	// Not the shared opaque: a value that depends on no parameter stays
	// so, and the load of a field set once to it (sess.ID of
	// Session{ID: rand.Text(), User: u}) is not widened to the rest of
	// the struct.
	return &Term{Op: TermOpaque, Args: deps}
}

func (c *compiler) known(v ssa.Value, depth int) *Term {
	if depth > maxDepth {
		return opaque
	}
	switch v := v.(type) {
	case *ssa.Parameter:
		if i := slices.Index(c.fn.Params, v); i >= 0 {
			return &Term{Op: TermParam, Index: i}
		}
		if c.outer != nil && v.Parent() == c.outer {
			return &Term{Op: TermParam, Index: len(c.fn.Params) + slices.Index(c.outer.Params, v)}
		}
		// A closure's parameter: what its one call passes.
		if args := c.model.passed(v); len(args) == 1 {
			return c.term(args[0], depth+1)
		}
		// Or each element of a slice, passed by what it is handed to.
		if slice := c.model.handedElems(v); slice != nil {
			return &Term{Op: TermElems, Name: "elems", Args: []*Term{c.term(slice, depth+1)}}
		}
	case *ssa.FreeVar:
		if bound := c.model.binding(v); bound != nil {
			return c.term(bound, depth+1)
		}
	case *ssa.Const:
		if v.Value != nil && v.Value.Kind() != constant.Unknown {
			return &Term{Op: TermConst, Value: v.Value.ExactString(), Kind: v.Value.Kind()}
		}
	case *ssa.Convert:
		return &Term{Op: TermConvert, Name: typeClass(v.Type()), Args: []*Term{c.term(v.X, depth+1)}}
	case *ssa.ChangeType:
		return c.term(v.X, depth+1)
	case *ssa.MakeInterface:
		return c.term(v.X, depth+1)
	case *ssa.ChangeInterface:
		// A Store passed on as the Reader it embeds.
		return c.term(v.X, depth+1)
	case *ssa.UnOp:
		switch {
		case v.Op == token.SUB || v.Op == token.NOT:
			return &Term{Op: TermUnOp, Tok: v.Op, Args: []*Term{c.term(v.X, depth+1)}}
		case v.Op == token.MUL:
			return c.load(v.X, depth)
		}
	case *ssa.Field:
		if t := c.choice(v.X, v.Field, depth); t != nil {
			return t
		}
		if load, ok := v.X.(*ssa.UnOp); ok && load.Op == token.MUL {
			if set := fieldSetOnce(load.X, v.Field); set != nil {
				return c.term(set, depth+1)
			}
		}
		return c.field(v.X, v.Field, depth)
	case *ssa.FieldAddr:
		// The address of a field, as the struct it holds: s.cfg in s.cfg.TTL.
		return c.field(v.X, v.Field, depth)
	case *ssa.Alloc:
		// A struct parameter whose address is taken lives in a variable
		// that it is stored in once: opts in opts.TTL.
		if stored := c.model.storedInto(v); len(stored) == 1 {
			if p, ok := stored[0].(*ssa.Parameter); ok {
				return c.term(p, depth+1)
			}
			// A record a closure captures, set once and never in part:
			// w.value, in a retry closure, of w := b.writes[key].
			if v.Heap && onlyRead(v) {
				return c.term(stored[0], depth+1)
			}
			// The loop variable of a range over a slice, whose address is
			// taken: it of for _, it := range items.
			if load, ok := stored[0].(*ssa.UnOp); ok && load.Op == token.MUL && onlyRead(v) {
				if _, isElem := load.X.(*ssa.IndexAddr); isElem {
					return c.term(load, depth+1)
				}
			}
		}
	case *ssa.BinOp:
		return &Term{Op: TermBinOp, Tok: v.Op, Name: typeClass(v.X.Type()), Args: []*Term{c.term(v.X, depth+1), c.term(v.Y, depth+1)}}
	case *ssa.Phi:
		t := &Term{Op: TermPhi}
		for i, e := range v.Edges {
			t.Args = append(t.Args, c.term(e, depth+1))
			pred := v.Block().Preds[i]
			t.Conds = append(t.Conds, append(c.branch(pred, v.Block(), depth), c.Conds(pred, depth)...))
		}
		return t
	case *ssa.Call:
		return c.call(v, depth)
	case *ssa.TypeAssert:
		return c.term(v.X, depth+1)
	case *ssa.Slice:
		// A window of a slice holds its elements: pairs[start:end] of a
		// bulk write that cuts its input in chunks.
		if _, isSlice := v.X.Type().Underlying().(*types.Slice); isSlice {
			return c.term(v.X, depth+1)
		}
		// Variadic arguments or a slice literal, given to a wrapper:
		// t.Get(ctx, token) for Get(ctx, id ...string).
		if elems, ok := arrayLiteral(v); ok {
			t := &Term{Op: TermCall, Name: sliceLiteral}
			for _, e := range elems {
				t.Args = append(t.Args, c.term(e, depth+1))
			}
			return t
		}
	case *ssa.Extract:
		if call, ok := valueOrError(v); ok {
			return c.call(call, depth) // key, err := keyOf(door): the key
		}
		if call, ok := v.Tuple.(*ssa.Call); ok {
			if callee := call.Call.StaticCallee(); callee != nil {
				if ret := c.model.resultTerm(callee, v.Index); ret != nil {
					return ret.Substitute(c.args(call.Call.Args)) // key, n, err := running(st, org)
				}
			}
			if name, ok := pureTuple(call, v.Index); ok {
				return &Term{Op: TermCall, Name: name, Args: c.callArgs(call, depth)} // user, id, _ := strings.Cut(sid, ".")
			}
		}
		// An optional interface: e, ok := v.(interface{ Expiry() ... }).
		// The caller's argument decides ok; e is v.
		if ta, ok := v.Tuple.(*ssa.TypeAssert); ok {
			if v.Index == 0 {
				return c.term(ta.X, depth+1)
			}
			if iface, ok := ta.AssertedType.Underlying().(*types.Interface); ok && iface.NumMethods() > 0 {
				names := make([]string, iface.NumMethods())
				for i := range names {
					names[i] = iface.Method(i).Name()
				}
				return &Term{Op: TermImplements, Name: strings.Join(names, ","), Args: []*Term{c.term(ta.X, depth+1)}}
			}
		}
	}
	return opaque
}

// sliceLiteral names the Term of a slice made of known elements, which
// identities write as the elements themselves, as a call's variadic
// arguments are written.
const sliceLiteral = "[]"

// valueOrError returns the call whose value v is, when the call returns
// a value and an error and v is the value.
func valueOrError(v *ssa.Extract) (*ssa.Call, bool) {
	call, ok := v.Tuple.(*ssa.Call)
	if !ok || v.Index != 0 {
		return nil, false
	}
	res := call.Call.Signature().Results()
	return call, res.Len() == 2 && isError(res.At(1).Type())
}

// load is the Term of a value loaded from addr: a field of a struct
// reached through a pointer (s.ns), or a package variable.
func (c *compiler) load(addr ssa.Value, depth int) *Term {
	switch addr := addr.(type) {
	case *ssa.FieldAddr:
		if st := fieldStoreOnce(addr.X, addr.Field); st != nil {
			if addr.Block() != nil && !dominates(st, addr) {
				// Read before it is set: what the copy started as, the
				// prefix s.prefix + scope of func (s Store) Scope(scope
				// string) Store { s.prefix = s.prefix + scope; return s }.
				if from := startedAs(addr.X); from != nil {
					return c.field(from, addr.Field, depth)
				}
				return opaque
			}
			return c.term(st.Val, depth+1) // l.Expires of l := Lease{Expires: now.Add(ttl)}
		}
		if st := fieldStoredBeforeHandOff(addr); st != nil {
			return c.term(st.Val, depth+1)
		}
		if t := c.choice(addr.X, addr.Field, depth); t != nil {
			return t
		}
		return c.field(addr.X, addr.Field, depth)
	case *ssa.Global:
		return &Term{Op: TermGlobal, Name: addr.Pkg.Pkg.Path() + "." + addr.Name()}
	case *ssa.IndexAddr:
		// An element of a slice the function is given, in a loop over it
		// or over the chunks cut from it: each of its elements.
		if _, isSlice := addr.X.Type().Underlying().(*types.Slice); isSlice {
			if _, fixed := addr.Index.(*ssa.Const); !fixed {
				slice := addr.X
				if p, ok := slice.(*ssa.Parameter); ok {
					if whole, ok := rangedOver(p, "slices.Chunk"); ok {
						slice = whole
					}
				}
				if slice := c.term(slice, depth+1); slice.Op == TermParam {
					return &Term{Op: TermElems, Name: "elems", Args: []*Term{slice}}
				}
			}
		}
	case *ssa.Field, *ssa.Parameter, *ssa.UnOp, *ssa.Call, *ssa.Extract, *ssa.Phi:
		// An optional setting held by pointer, *o.TTL of TTL
		// *time.Duration: what the pointer was made from (units.Ptr(d),
		// &d) is what it points to, as a variable set once is what it
		// holds.
		return c.term(addr, depth+1)
	case *ssa.Alloc, *ssa.FreeVar:
		// A variable closures share, set once: a parameter they capture.
		if stored := c.model.storedInto(addr); len(stored) == 1 {
			return c.term(stored[0], depth+1)
		}
		if alloc, ok := addr.(*ssa.Alloc); ok {
			return c.literal(alloc, depth)
		}
	}
	return opaque
}

// literal is the Term of a struct literal of basic fields, each set once
// or left zero: the key value of keys.Wallet{Rider: id}.String(), so that
// two such literals with the same fields make the same key.
func (c *compiler) literal(alloc *ssa.Alloc, depth int) *Term {
	name, fields, ok := structLiteral(alloc)
	if !ok {
		return opaque
	}
	t := &Term{Op: TermCall, Name: name}
	for _, f := range fields {
		if f.zero != nil {
			t.Args = append(t.Args, f.zero)
		} else {
			t.Args = append(t.Args, c.term(f.value, depth+1))
		}
	}
	return t
}

// A literalField is a field of a struct literal: the value set in it
// once, or the zero it is left with.
type literalField struct {
	value ssa.Value
	zero  *Term
}

// structLiteral returns the fields of the local struct variable alloc,
// when each is of a basic type and set once or left zero, and the name
// that Terms and identities give the literal.
func structLiteral(alloc *ssa.Alloc) (name string, fields []literalField, ok bool) {
	elem := alloc.Type().(*types.Pointer).Elem()
	st, isStruct := elem.Underlying().(*types.Struct)
	if !isStruct || alloc.Heap || st.NumFields() == 0 {
		return "", nil, false
	}
	// A field is left zero only in a literal: not in a copy of another
	// value (k := b; k.Year = y), whose other fields are b's.
	copied := slices.ContainsFunc(*alloc.Referrers(), func(ref ssa.Instruction) bool {
		st, ok := ref.(*ssa.Store)
		return ok && st.Addr == alloc
	})
	for i := range st.NumFields() {
		b, ok := st.Field(i).Type().Underlying().(*types.Basic)
		if !ok {
			return "", nil, false
		}
		v := fieldSetOnce(alloc, i)
		switch {
		case v != nil:
			fields = append(fields, literalField{value: v})
		case copied || fieldStored(alloc, i):
			return "", nil, false // copied, set more than once, or its address handed on
		case b.Info()&types.IsString != 0:
			fields = append(fields, literalField{zero: &Term{Op: TermConst, Value: `""`, Kind: constant.String}})
		case b.Info()&types.IsNumeric != 0:
			fields = append(fields, literalField{zero: &Term{Op: TermConst, Value: "0", Kind: constant.Int}})
		default:
			return "", nil, false
		}
	}
	return types.TypeString(elem, nil) + "{}", fields, true
}

// fieldStored reports whether anything is stored into field i of alloc,
// or its address goes elsewhere.
func fieldStored(alloc *ssa.Alloc, i int) bool {
	for _, ref := range *alloc.Referrers() {
		fa, ok := ref.(*ssa.FieldAddr)
		if !ok || fa.Field != i {
			continue
		}
		for _, use := range *fa.Referrers() {
			if _, ok := use.(*ssa.DebugRef); !ok {
				if load, ok := use.(*ssa.UnOp); !ok || load.Op != token.MUL {
					return true
				}
			}
		}
	}
	return false
}

// readingID names one reading of the clock, so that a key built from it
// is the same key wherever that reading is used, and another reading's
// differs. (Not in String: every reading computes the same way.)
func readingID(call *ssa.Call) string {
	return fmt.Sprintf("%s@%d", call.Parent().String(), call.Pos())
}

// fieldSetOnce returns the value stored in field i of local, a local
// variable of struct type whose field is stored once and whose address
// goes nowhere else: a composite literal's, l.Expires of
// l := Lease{Expires: now.Add(ttl)}, or of a copy of one, or the field
// changed in a copy made just before (c := base; c.TTL = 30 *
// time.Second). Closures may read the variable.
func fieldSetOnce(local ssa.Value, i int) ssa.Value {
	if st := fieldStoreOnce(local, i); st != nil {
		return st.Val
	}
	return nil
}

// storesReaching returns the stores that may have set the field load
// reads, when load's own function sets that field of the same struct
// before it on every path: r.holdTTL = time.Until(deadline), lowered
// under a condition, then passed to the put. Nil when the field may still
// hold what it held when the function began, or when a store under a test
// of the field raises it (a floor, which the stores alone do not show).
func storesReaching(load *ssa.UnOp) []*ssa.Store {
	fa, ok := load.X.(*ssa.FieldAddr)
	if !ok || load.Op != token.MUL || load.Block() == nil {
		return nil
	}
	var stores []*ssa.Store
	for _, b := range load.Parent().Blocks {
		for _, instr := range b.Instrs {
			if st, ok := instr.(*ssa.Store); ok {
				if to, ok := st.Addr.(*ssa.FieldAddr); ok && to.X == fa.X && to.Field == fa.Field {
					stores = append(stores, st)
				}
			}
		}
	}
	var last *ssa.Store
	for _, st := range stores {
		if dominates(st, load) && (last == nil || dominates(last, st)) {
			last = st
		}
	}
	if last == nil {
		return nil
	}
	reads := func(v ssa.Value) bool {
		l, ok := v.(*ssa.UnOp)
		if !ok || l.Op != token.MUL {
			return false
		}
		at, ok := l.X.(*ssa.FieldAddr)
		return ok && at.X == fa.X && at.Field == fa.Field
	}
	out := []*ssa.Store{last}
	for _, st := range stores {
		if st == last || !dominates(last, st) || dominates(load, st) || st.Block() != load.Block() && !Reaches(st.Block(), load.Block()) {
			continue
		}
		if raisedUnder(st, reads) {
			return nil
		}
		out = append(out, st)
	}
	return out
}

// StoredBefore returns the values that may be in the field v loads, when
// v's function sets it before the load (see storesReaching).
func StoredBefore(v ssa.Value) []ssa.Value {
	load, ok := v.(*ssa.UnOp)
	if !ok {
		return nil
	}
	var vals []ssa.Value
	for _, st := range storesReaching(load) {
		vals = append(vals, st.Val)
	}
	return vals
}

// SetBeforeAt returns where the field that v loads is set, when v's
// function sets it once before the load on every path and nowhere else
// on the way (see storesReaching): f.ttl = 30 * time.Second in the state
// that then hands f.ttl to the put.
func SetBeforeAt(v ssa.Value) token.Pos {
	load, ok := v.(*ssa.UnOp)
	if !ok {
		return token.NoPos
	}
	if stores := storesReaching(load); len(stores) == 1 {
		return stores[0].Pos()
	}
	return token.NoPos
}

// FieldSetAt returns where the field that v loads is set, when v loads a
// field of a local struct set once (see fieldSetOnce): pc.TTL = 45 *
// time.Second, of pc := cfg.Cache.
func FieldSetAt(v ssa.Value) token.Pos {
	load, ok := v.(*ssa.UnOp)
	if !ok || load.Op != token.MUL {
		return token.NoPos
	}
	fa, ok := load.X.(*ssa.FieldAddr)
	if !ok {
		return token.NoPos
	}
	if st := fieldStoreOnce(fa.X, fa.Field); st != nil {
		return st.Pos()
	}
	return token.NoPos
}

// fieldStoredBeforeHandOff returns the one store to the field that addr
// loads from, of a struct made here, when the store runs before the load
// on every path and the struct is handed on only after it: l.ID of l :=
// &License{ID: id}, read for the key before l is decoded into and
// returned (a finder of active records).
func fieldStoredBeforeHandOff(addr *ssa.FieldAddr) *ssa.Store {
	alloc, ok := addr.X.(*ssa.Alloc)
	if !ok || addr.Block() == nil {
		return nil
	}
	set, handOffs := oneFieldStore(alloc, addr.Field)
	if set == nil || !dominates(set, addr) {
		return nil
	}
	for _, h := range handOffs {
		for _, load := range *addr.Referrers() {
			if Before(h, load) {
				return nil // decoded into, returned, captured: only after the loads
			}
		}
	}
	return set
}

// oneFieldStore returns the one store to field i of the struct alloc
// makes, nil if there are more, and what else alloc is handed to.
func oneFieldStore(alloc *ssa.Alloc, i int) (*ssa.Store, []ssa.Instruction) {
	var sets []*ssa.Store
	var handOffs []ssa.Instruction
	for _, ref := range *alloc.Referrers() {
		switch ref := ref.(type) {
		case *ssa.FieldAddr:
			if ref.Field == i {
				sets = append(sets, storesTo(ref)...)
			}
		case *ssa.DebugRef:
		default:
			handOffs = append(handOffs, ref)
		}
	}
	if len(sets) != 1 {
		return nil, nil
	}
	return sets[0], handOffs
}

// fieldStoreOnce is fieldSetOnce's store.
func fieldStoreOnce(local ssa.Value, i int) *ssa.Store {
	for range maxDepth {
		if fv, ok := local.(*ssa.FreeVar); ok {
			if setIn(fv, i) {
				return nil
			}
			local = Binding(fv)
		}
		if held := heldLiteral(local); held != nil {
			local = held // opts.RetryPolicy of opts := Options{RetryPolicy: &RetryPolicy{...}}
		}
		alloc, ok := local.(*ssa.Alloc)
		if !ok {
			return nil
		}
		var set, whole *ssa.Store
		var sets []*ssa.Store
		for _, ref := range *alloc.Referrers() {
			switch ref := ref.(type) {
			case *ssa.FieldAddr:
				if ref.Field == i {
					sets = append(sets, storesTo(ref)...)
				}
			case *ssa.Store:
				if ref.Val == alloc && ref.Addr != alloc && heldInLocal(ref.Addr) {
					continue // a literal's address kept in a field of another: &RetryPolicy{...}
				}
				if ref.Addr != alloc || whole != nil {
					return nil
				}
				whole = ref
			case *ssa.MakeClosure:
				if closureSets(ref, alloc, i) {
					return nil
				}
			case *ssa.UnOp, *ssa.DebugRef:
			default:
				return nil // its address handed on
			}
		}
		if len(sets) > 1 {
			return nil
		}
		if len(sets) == 1 {
			set = sets[0]
		}
		switch {
		case whole == nil && set == nil:
			return nil
		case whole == nil:
			return set
		case set != nil:
			if whole.Block() == set.Block() && dominates(whole, set) {
				return set // a copy, then one field changed, on every path
			}
			return nil
		}
		load, ok := whole.Val.(*ssa.UnOp)
		if !ok || load.Op != token.MUL {
			return nil
		}
		local = load.X // a copy of another variable: l := complit
	}
	return nil
}

// heldLiteral returns the struct literal that v, a pointer read from a
// field of a local struct, points to, when that field is set once: the
// &RetryPolicy{...} of opts.RetryPolicy.
func heldLiteral(v ssa.Value) ssa.Value {
	load, ok := v.(*ssa.UnOp)
	if !ok || load.Op != token.MUL {
		return nil
	}
	fa, ok := load.X.(*ssa.FieldAddr)
	if !ok {
		return nil
	}
	st := fieldStoreOnce(fa.X, fa.Field)
	if st == nil || !dominates(st, load) {
		return nil
	}
	if alloc, ok := st.Val.(*ssa.Alloc); ok && alloc.Heap {
		return alloc
	}
	return nil
}

// heldInLocal reports whether addr is a field of a struct variable of
// the function.
func heldInLocal(addr ssa.Value) bool {
	fa, ok := addr.(*ssa.FieldAddr)
	if !ok {
		return false
	}
	_, local := fa.X.(*ssa.Alloc)
	return local
}

// closureSets reports whether the closure that mc makes may store into
// field i of alloc, or into the whole of it, which it captures.
func closureSets(mc *ssa.MakeClosure, alloc *ssa.Alloc, i int) bool {
	fn := mc.Fn.(*ssa.Function)
	for j, b := range mc.Bindings {
		if b == alloc && setIn(fn.FreeVars[j], i) {
			return true
		}
	}
	return false
}

// onlyRead reports whether alloc, a struct variable, is only read but
// for its stores as a whole: no field of it is set, and its address goes
// nowhere else, here or in the closures that capture it.
func onlyRead(alloc *ssa.Alloc) bool {
	st, ok := alloc.Type().(*types.Pointer).Elem().Underlying().(*types.Struct)
	if !ok {
		return false
	}
	for _, ref := range *alloc.Referrers() {
		switch ref := ref.(type) {
		case *ssa.Store, *ssa.UnOp, *ssa.DebugRef:
		case *ssa.FieldAddr:
			for _, use := range *ref.Referrers() {
				switch use.(type) {
				case *ssa.UnOp, *ssa.DebugRef:
				default:
					return false
				}
			}
		case *ssa.MakeClosure:
			for i := range st.NumFields() {
				if closureSets(ref, alloc, i) {
					return false
				}
			}
		default:
			return false
		}
	}
	return true
}

// setIn reports whether a closure stores into field i of the variable
// it captures as fv, or into the whole of it, or hands its address on.
func setIn(fv *ssa.FreeVar, i int) bool {
	for _, ref := range *fv.Referrers() {
		switch ref := ref.(type) {
		case *ssa.FieldAddr:
			if ref.Field == i && slices.ContainsFunc(*ref.Referrers(), func(u ssa.Instruction) bool {
				st, ok := u.(*ssa.Store)
				return ok && st.Addr == ref
			}) {
				return true
			}
		case *ssa.UnOp, *ssa.DebugRef:
		default:
			return true
		}
	}
	return false
}

// call is the Term of a call of a function that computes its result from
// its arguments alone: time.Duration's unit methods, min and max,
// conversions in strconv and fmt, and the like, named by full name.
func (c *compiler) call(v *ssa.Call, depth int) *Term {
	if callee := calledFunc(&v.Call); callee != nil {
		if fn, ok := callee.Object().(*types.Func); ok && isFieldHelper(fn) && len(v.Call.Args) == 1 {
			// cloudflare.F(x) sends x: a helper that builds the SDK's
			// params (cfparams.Keys(account, prefix, cursor, limit)) sets
			// Limit to its limit.
			arg := v.Call.Args[0]
			if mi, ok := arg.(*ssa.MakeInterface); ok { // cloudflare.Raw
				arg = mi.X
			}
			return c.term(arg, depth+1)
		}
		if c.model.pointsToArg(callee) && len(v.Call.Args) == 1 {
			return c.term(v.Call.Args[0], depth+1) // units.Ptr(d), as d
		}
		if picked := c.model.pickedArgs(&v.Call); picked != nil {
			// pick.If(retry, 30*time.Second, time.Hour), units.Deref(o.Limit,
			// 1000): any of them, as the caller decides.
			t := &Term{Op: TermPhi, Conds: make([][]Cond, len(picked))}
			for _, a := range picked {
				t.Args = append(t.Args, c.term(a, depth+1))
			}
			return t
		}
		if g := singleton(callee); g != nil {
			// Default(), the instance a package variable holds.
			return &Term{Op: TermGlobal, Name: g.Pkg.Pkg.Path() + "." + g.Name()}
		}
		if ret := c.model.returnTerm(callee); ret != nil {
			var args []*Term
			for _, a := range closureArgs(v, callee) {
				args = append(args, c.term(a, depth+1)) // (a closure's call may be its own argument's)
			}
			return literalFields(ret, v.Call.Args, args).Substitute(args)
		}
		if ret := c.model.openerTerm(callee); ret != nil {
			return ret.Substitute(c.args(v.Call.Args)) // b.Namespace() of another package
		}
		if recv, path := c.model.accessed(v, 0); path != nil && v.Call.Signature().Results().Len() == 1 {
			// An accessor as the field it returns: ns.Raw() is ns.kv,
			// as the wrappers that use the field directly name it.
			t := c.term(recv, depth+1)
			for _, name := range path {
				t = &Term{Op: TermField, Name: name, Args: []*Term{t}}
			}
			return t
		}
		if pol := c.model.policyTerm(callee); pol != nil {
			return pol.Substitute(c.args(v.Call.Args)) // p.Tier.TTL() of this package
		}
		if num := c.model.numberTerm(callee); num != nil {
			return c.helperTerm(num, callee.Signature, c.args(v.Call.Args)) // o.Seconds() of another package
		}
	}
	if fn := keyFuncField(v); fn != nil {
		// The function by the call that made it, so that its constant
		// text travels with the Term: (keys.Prefixed "email:").
		fnTerm := c.term(fn, depth+1)
		if made := c.model.keyFuncMaker(fn); made != nil {
			fnTerm = c.maker(made, depth+1)
		}
		t := &Term{Op: TermCall, Name: keyFuncName, Args: []*Term{fnTerm}}
		t.Args = append(t.Args, c.callArgs(v, depth)...)
		return t
	}
	if contextValue(v) {
		key := c.term(v.Call.Args[0], depth+1)
		if zero := zeroKey(v.Call.Args[0]); zero != "" {
			key = &Term{Op: TermGlobal, Name: zero} // ctx.Value(tokenKey{}): one key wherever it is written
		}
		return &Term{Op: TermCall, Name: contextValueName, Args: []*Term{c.term(v.Call.Value, depth+1), key}}
	}
	if name, ok := ownMethod(v); ok {
		return &Term{Op: TermCall, Name: name, Args: []*Term{c.term(v.Call.Value, depth+1)}}
	}
	if g := LazyGlobal(v); g != nil {
		// var Lobbies = bind("LOBBIES"), a sync.OnceValue: each
		// store.Lobbies() hands out the same binding.
		return &Term{Op: TermCall, Name: g.Pkg.Pkg.Path() + "." + g.Name(), Args: c.callArgs(v, depth)}
	}
	name := CalleeName(v)
	if name == "time.Now" || name == "" && Clock(v) { // or the clock kept in a field: s.now()
		return &Term{Op: TermCall, Name: "time.Now", Value: readingID(v)}
	}
	if !pureCall(v) && !opensNamespace(v) && !routesStore(v) && !strings.HasPrefix(name, "(time.Duration).") && !TimeFuncs[name] {
		return opaque // (kv.NewNamespace(binding) opens the same namespace for the same binding)
	}
	return &Term{Op: TermCall, Name: name, Args: c.callArgs(v, depth)}
}

// closureArgs returns what call gives callee's parameters: its arguments,
// and when callee is a closure, the parameters of the function it is in,
// which its Terms name after its own (see returnTerm).
func closureArgs(call *ssa.Call, callee *ssa.Function) []ssa.Value {
	if callee.Parent() == nil {
		return call.Call.Args
	}
	args := slices.Clip(call.Call.Args)
	for _, p := range outermost(callee).Params {
		args = append(args, p)
	}
	return args
}

// LazyGlobal returns the package variable whose function call calls,
// when what it returns is a handle, the same at each call: a binding or a
// named string such as a Namespace ID, made on first use (var Analytics =
// sync.OnceValue(...)). A plain string or number is not: var newID =
// uuid.NewString draws a new one each time.
func LazyGlobal(call *ssa.Call) *ssa.Global {
	load, ok := call.Call.Value.(*ssa.UnOp)
	if !ok || load.Op != token.MUL {
		return nil
	}
	if _, plain := types.Unalias(call.Type()).(*types.Basic); plain {
		return nil
	}
	g, _ := load.X.(*ssa.Global)
	return g
}

// helperTerm returns the Term of a number helper of another package,
// given its arguments (see bind).
func (c *compiler) helperTerm(num *Term, sig *types.Signature, args []*Term) *Term {
	var params []types.Type
	if sig.Recv() != nil {
		params = append(params, sig.Recv().Type())
	}
	for p := range sig.Params().Variables() {
		params = append(params, p.Type())
	}
	return c.bind(num, params, args)
}

// bindValues is bind, given the values of this function that fill t's
// parameters.
func (c *compiler) bindValues(t *Term, vals []ssa.Value) *Term {
	params := make([]types.Type, len(vals))
	for i, v := range vals {
		params[i] = v.Type()
	}
	t, vals = fieldsSet(t, vals)
	for _, v := range vals[len(params):] {
		params = append(params, v.Type())
	}
	return c.bind(t, params, c.args(vals))
}

// fieldsSet returns t with the fields it reads of a struct that vals
// give, made and set here before it is handed on, read instead from what
// they were set to, as parameters added after vals: l.ID of l :=
// &License{ID: id} handed to l.Reload(ctx) is id.
func fieldsSet(t *Term, vals []ssa.Value) (*Term, []ssa.Value) {
	n := len(vals)
	t = t.rewrite(func(s *Term) *Term {
		if s.Op != TermField || len(s.Args) != 1 || s.Args[0].Op != TermParam || s.Args[0].Index >= n {
			return nil
		}
		if set := setBeforeHandOff(vals[s.Args[0].Index], s.Name); set != nil {
			vals = append(slices.Clip(vals), set.Val)
			return &Term{Op: TermParam, Index: len(vals) - 1}
		}
		return nil
	})
	return t, vals
}

// elemFieldsSet is fieldsSet for the fields t reads of each element of
// a slice that vals give, when it is a literal of one element: the name
// of the one pair of PutMany(ctx, []Item{{Name: name, TTL: ttl}}).
func (r *Result) elemFieldsSet(t *Term, vals []ssa.Value) (*Term, []ssa.Value) {
	n := len(vals)
	t = t.rewrite(func(s *Term) *Term {
		if s.Op != TermField || len(s.Args) != 1 {
			return nil
		}
		elems := s.Args[0]
		if elems.Op != TermElems || len(elems.Args) != 1 || elems.Args[0].Op != TermParam || elems.Args[0].Index >= n {
			return nil
		}
		if held := r.heldInOnlyElement(vals[elems.Args[0].Index], s.Name); held != nil {
			vals = append(slices.Clip(vals), held)
			return &Term{Op: TermParam, Index: len(vals) - 1}
		}
		return nil
	})
	return t, vals
}

// heldInOnlyElement returns what field name holds in the one element of
// slice, a literal of one element built here; nil for any other slice (one
// appended to in a loop holds many).
func (r *Result) heldInOnlyElement(slice ssa.Value, name string) ssa.Value {
	if held := r.heldInEachElement(slice, name); len(held) == 1 {
		return held[0]
	}
	return nil
}

// heldInEachElement returns what field name holds in each element of
// slice, a literal built here, when every element's is known; nil for any
// other slice (one appended to in a loop holds many).
func (r *Result) heldInEachElement(slice ssa.Value, name string) []ssa.Value {
	elems, ok := r.literalElements(slice)
	if !ok {
		return nil
	}
	var held []ssa.Value
	for _, elem := range elems {
		h := r.heldIn(elem, name, 0)
		if h == nil {
			return nil
		}
		held = append(held, h)
	}
	return held
}

// literalElements returns the elements of slice, a literal built here
// ([]T{a, b}, or the arguments of a variadic call), when every one is
// known.
func (r *Result) literalElements(slice ssa.Value) ([]ssa.Value, bool) {
	lit, ok := slice.(*ssa.Slice)
	if !ok {
		return nil, false
	}
	alloc, ok := lit.X.(*ssa.Alloc)
	if !ok {
		return nil, false
	}
	array, ok := alloc.Type().(*types.Pointer).Elem().Underlying().(*types.Array)
	if !ok {
		return nil, false
	}
	elems := r.elements(slice, 0)
	return elems, int64(len(elems)) == array.Len()
}

// setBeforeHandOff returns the one store to field name of the struct v
// points to, made here, when it runs before v is handed to anything.
func setBeforeHandOff(v ssa.Value, name string) *ssa.Store {
	alloc, ok := v.(*ssa.Alloc)
	if !ok {
		return nil
	}
	st, ok := derefStruct(alloc.Type())
	if !ok || fieldIndex(st, name) < 0 {
		return nil
	}
	set, handOffs := oneFieldStore(alloc, fieldIndex(st, name))
	if set == nil {
		return nil
	}
	for _, h := range handOffs {
		if !dominates(set, h) {
			return nil
		}
	}
	return set
}

// bind returns t with its parameters, of the types params, replaced by
// args. The fields it reads of a parameter (o.TTL in PutOptions.Seconds,
// s.cacheTTL in a helper that builds the SDK's options) are known as
// fields here, as if read here, so that a lifetime set in an option is
// checked where the option is given (see fieldUses).
func (c *compiler) bind(t *Term, params []types.Type, args []*Term) *Term {
	return bounded(t.rewrite(func(s *Term) *Term {
		switch s.Op {
		case TermParam:
			if s.Index < len(args) {
				return args[s.Index]
			}
			return opaque
		case TermOpaque:
			return s.Substitute(args)
		case TermField:
			if c.fields == nil || len(s.Args) != 1 || s.Args[0].Op != TermParam {
				return nil
			}
			i := s.Args[0].Index
			if i >= len(args) || i >= len(params) {
				return nil
			}
			st, ok := derefStruct(params[i])
			if !ok {
				return nil
			}
			for j := range st.NumFields() {
				if f := st.Field(j); f.Name() == s.Name {
					if f.Pkg() != nil && IsSDKPackage(f.Pkg().Path()) {
						return nil // the SDK's own options are the operation's, not a setting kept
					}
					bound := &Term{Op: TermField, Name: s.Name, Args: []*Term{args[i]}}
					c.fields[bound] = f.Origin()
					if c.ids != nil {
						pt := params[i]
						if ptr, ok := pt.Underlying().(*types.Pointer); ok {
							pt = ptr.Elem()
						}
						c.ids[f.Origin()] = namedFieldID(pt, j)
					}
					return bound
				}
			}
		}
		return nil
	}))
}

// literalFields returns t with the fields it reads of a parameter that
// vals fill with a struct literal replaced by what the literal sets:
// the id in sessionRecord{ID: id}.key(), whose key is "sess:" + r.ID.
func literalFields(t *Term, vals []ssa.Value, args []*Term) *Term {
	return t.rewrite(func(s *Term) *Term {
		if s.Op != TermField || len(s.Args) != 1 || s.Args[0].Op != TermParam {
			return nil
		}
		if i := s.Args[0].Index; i < min(len(vals), len(args)) {
			return literalFieldTerm(args[i], vals[i].Type(), s.Name)
		}
		return nil
	})
}

// literalFieldTerm returns the Term of field name of lit, when lit is the
// Term of a struct literal of type t (see compiler.literal).
func literalFieldTerm(lit *Term, t types.Type, name string) *Term {
	st, ok := derefStruct(t)
	if !ok || lit.Op != TermCall || len(lit.Args) != st.NumFields() {
		return nil
	}
	if ptr, isPtr := t.Underlying().(*types.Pointer); isPtr {
		t = ptr.Elem()
	}
	if lit.Name != types.TypeString(t, nil)+"{}" {
		return nil
	}
	for i := range st.NumFields() {
		if st.Field(i).Name() == name {
			return lit.Args[i]
		}
	}
	return nil
}

// callArgs returns the Terms of the arguments of v, the elements of a
// variadic slice each on its own (fmt.Sprintf's ...any, a key builder's
// ...string), as identities write them.
func (c *compiler) callArgs(v *ssa.Call, depth int) []*Term {
	var args []*Term
	for _, a := range c.model.partsOf(v) {
		args = append(args, c.term(a, depth+1))
	}
	return args
}

// pureFuncs compute their result from their arguments alone, so two
// calls with equal arguments give equal results (a key built twice as
// fmt.Sprintf("rate:%s", ip) is the same key).
var pureFuncs = map[string]bool{
	"min": true, "max": true, "len": true, "cmp.Or": true,
	"fmt.Sprintf": true, "fmt.Sprint": true,
	"strconv.Itoa": true, "strconv.FormatInt": true, "strconv.FormatUint": true, "strconv.Quote": true,
	"strings.Join": true, "strings.ToLower": true, "strings.ToUpper": true, "strings.TrimSpace": true,
	"path.Join": true, "(time.Time).Format": true, "(time.Time).Truncate": true,
	"math.Ceil": true, "math.Floor": true, "math.Round": true, "math.Trunc": true,
	"time.ParseDuration": true,
}

// pureTupleFuncs split what they are given, the same way each time.
var pureTupleFuncs = map[string]bool{
	"strings.Cut": true, "strings.CutPrefix": true, "strings.CutSuffix": true,
	"path.Split": true, "path/filepath.Split": true, "net.SplitHostPort": true,
}

// pureTuple returns the name of result i of call, a call of a function
// that splits its arguments (strings.Cut), as Terms and identities name
// it: "strings.Cut#0".
func pureTuple(call *ssa.Call, i int) (string, bool) {
	name := CalleeName(call)
	if !pureTupleFuncs[name] {
		return "", false
	}
	return fmt.Sprintf("%s#%d", name, i), true
}

// roundings are the math functions that round a number of seconds, as
// math.Ceil(ttl.Seconds()) does; they fold like conversions.
var roundings = map[string]func(float64) float64{
	"math.Ceil": math.Ceil, "math.Floor": math.Floor, "math.Round": math.Round, "math.Trunc": math.Trunc,
}

// TimeFuncs make and read the times that an absolute expiration is built
// from, as in time.Now().Add(ttl).Unix(): they appear in a wrapper's Terms
// so that its callers' arguments can be checked, but name no key.
var TimeFuncs = map[string]bool{
	"time.Now": true, "(time.Time).Add": true, "(time.Time).UTC": true, "(time.Time).Local": true,
	"(time.Time).Unix": true, "(time.Time).UnixMilli": true, "(time.Time).UnixMicro": true, "(time.Time).UnixNano": true,
	"(time.Time).IsZero": true,
}

// calleeName names the function that v calls, builtins by their name,
// others by full name; "" for a dynamic call.
// CalleeName is the full name of the function call calls, or of the
// builtin; "" when the callee is not static.
func CalleeName(v *ssa.Call) string {
	if b, ok := v.Call.Value.(*ssa.Builtin); ok {
		return b.Name()
	}
	if callee := v.Call.StaticCallee(); callee != nil && callee.Object() != nil {
		// A method of a generic type by the generic's name: Key of
		// Table[Link] called here is Key of Table[T] in its package.
		return callee.Object().(*types.Func).Origin().FullName()
	}
	return ""
}

// Conds returns the branch conditions on the single-predecessor path into b.
func (c *compiler) Conds(b *ssa.BasicBlock, depth int) []Cond {
	var conds []Cond
	for steps := 0; len(b.Preds) == 1 && steps < 32; steps++ {
		parent := b.Preds[0]
		conds = append(conds, c.branch(parent, b, depth)...)
		b = parent
	}
	return conds
}

// opConds is Conds of an operation's block b, and past a join the
// branches that still decide whether b runs: the case of a switch whose
// body branches again before the operation (an actor's case opAdd).
func (c *compiler) opConds(b *ssa.BasicBlock) []Cond {
	conds := c.Conds(b, 0)
	for steps := 0; len(b.Preds) == 1 && steps < 32; steps++ {
		b = b.Preds[0]
	}
	for d, steps := b.Idom(), 0; d != nil && steps < 32; d, steps = d.Idom(), steps+1 {
		if len(d.Succs) != 2 {
			continue
		}
		// Every way into b passes the edge from d to child only when
		// child is entered from d alone.
		for _, child := range d.Succs {
			if len(child.Preds) == 1 && child.Dominates(b) {
				conds = append(conds, c.branch(d, child, 0)...)
			}
		}
	}
	return conds
}

// branch returns the condition for control to pass from parent to child.
func (c *compiler) branch(parent, child *ssa.BasicBlock, depth int) []Cond {
	br, ok := parent.Instrs[len(parent.Instrs)-1].(*ssa.If)
	if !ok || parent.Succs[0] == parent.Succs[1] || depth > maxDepth {
		return nil
	}
	cond := c.term(br.Cond, depth+1)
	if cond.Op == TermOpaque || !cond.Params() {
		return nil // a condition that no caller's argument can decide
	}
	return []Cond{{Term: cond, Want: parent.Succs[0] == child}}
}

// Passed returns the index of the parameter that t is, converted to
// another numeric type or not, and perhaps set only under a condition:
// float64(ttlSeconds) is the argument as passed.
func (t *Term) Passed() (index int, ok bool) {
	for (t.Op == TermConvert || t.Op == TermPhi) && len(t.Args) == 1 {
		t = t.Args[0]
	}
	return t.Index, t.Op == TermParam
}

// Substitute returns t with each parameter replaced by args[i]. Each
// shared part is substituted once (see rewrite).
func (t *Term) Substitute(args []*Term) *Term {
	done := make(map[*Term]*Term)
	var put func(*Term) *Term
	put = func(s *Term) *Term {
		switch s.Op {
		case TermParam:
			if s.Index < len(args) {
				return args[s.Index]
			}
			return opaque
		case TermConst, TermGlobal:
			return s
		case TermOpaque:
			// Still opaque, now depending on the parameters its arguments use.
			var deps []*Term
			for _, a := range s.Args {
				deps = a.rewriteShared(put, done).appendParams(deps)
			}
			if deps == nil {
				return opaque
			}
			return &Term{Op: TermOpaque, Args: deps}
		}
		return nil
	}
	return bounded(t.rewriteShared(put, done))
}

// maxTermSize bounds a Term written out in full. Terms share their parts,
// so composing them through layers of wrappers, builders that return
// copies and loops can make one that is small in memory but exponential
// to write out, compare or carry in a fact. Past this size a Term says
// only which parameters it depends on: no key or TTL is that long.
const maxTermSize = 1024

// bounded returns t, or an opaque Term over t's parameters when t
// written out in full would be larger than maxTermSize.
func bounded(t *Term) *Term {
	sizes := make(map[*Term]int)
	var size func(*Term) int
	size = func(t *Term) int {
		if n, ok := sizes[t]; ok {
			return n
		}
		n := 1
		for _, a := range t.Args {
			if n += size(a); n > maxTermSize {
				break
			}
		}
		for _, conds := range t.Conds {
			for _, cd := range conds {
				if n > maxTermSize {
					break
				}
				n += size(cd.Term)
			}
		}
		n = min(n, maxTermSize+1)
		sizes[t] = n
		return n
	}
	if size(t) <= maxTermSize {
		return t
	}
	var params []*Term
	seen := make(map[*Term]bool)
	var walk func(*Term)
	walk = func(t *Term) {
		if seen[t] {
			return
		}
		seen[t] = true
		if t.Op == TermParam && !slices.ContainsFunc(params, func(p *Term) bool { return p.Index == t.Index }) {
			params = append(params, t)
		}
		for _, a := range t.Args {
			walk(a)
		}
		for _, conds := range t.Conds {
			for _, cd := range conds {
				walk(cd.Term)
			}
		}
	}
	walk(t)
	return &Term{Op: TermOpaque, Args: params}
}

func typeClass(t types.Type) string {
	switch {
	case isInteger(t):
		return "int"
	case isFloat(t):
		return "float"
	}
	if b, ok := t.Underlying().(*types.Basic); ok && b.Info()&types.IsString != 0 {
		return "string"
	}
	return "other"
}

func fieldName(t types.Type, i int) string {
	if st, ok := derefStruct(t); ok && i < st.NumFields() {
		return st.Field(i).Name()
	}
	return fmt.Sprint(i)
}

// returnTerm returns the Term of what fn returns, over its parameters,
// when fn is a function of this package that returns one string or
// number computed from them alone (and maybe an error): func (r *Repo[T]) key(id string) string
// { return r.prefix + id }. A call of it is then that Term bound to the
// call's arguments, so that two calls with the same arguments give the
// same key. (A helper of another package is known by KeyHelper only.)
func (r *Result) returnTerm(fn *ssa.Function) *Term {
	if origin := fn.Origin(); origin != nil {
		fn = origin
	}
	results := fn.Signature.Results()
	orError := results.Len() == 2 && isError(results.At(1).Type())
	if fn.Pkg != r.pkg || fn.Blocks == nil || results.Len() != 1 && !orError {
		return nil
	}
	if t, ok := r.returns[fn]; ok {
		return t
	}
	if r.returns == nil {
		r.returns = make(map[*ssa.Function]*Term)
	}
	r.returns[fn] = nil // while it is compiled: recursion knows nothing
	if !basic(fn.Signature.Results().At(0).Type(), types.IsString|types.IsInteger|types.IsBoolean) && !opensNamespaceOnly(fn) {
		return nil
	}
	c := &compiler{model: r, fn: fn}
	if fn.Parent() != nil {
		// A closure's captures of its function's parameters follow its
		// own (see closureArgs): keyFor of keyFor := func(day string)
		// string { return prefix + name + day }.
		c.outer = outermost(fn)
	}
	var ret *Term
	var rets []*Term // the distinct values returned
	for _, b := range fn.Blocks {
		last, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
		if !ok || len(last.Results) != results.Len() || orError && !IsNil(last.Results[1]) {
			continue // of a (key, error) helper, the returns that succeed
		}
		if zero(last.Results[0]) && unsetGuarded(b) {
			continue // func (o *Opts) ttl() time.Duration { if o == nil { return 0 }; ... }
		}
		t := c.term(last.Results[0], 0)
		if t.Find(func(s *Term) bool { return s.Op == TermOpaque }) != nil {
			return nil
		}
		if !slices.ContainsFunc(rets, func(u *Term) bool { return u.String() == t.String() }) {
			rets = append(rets, t)
		}
	}
	switch {
	case len(rets) == 1:
		ret = rets[0]
	case len(rets) == 2 && basic(results.At(0).Type(), types.IsInteger) && !slices.ContainsFunc(rets, notGiven):
		// A number with a default, func (o *Opts) ttl(def time.Duration)
		// time.Duration { if o == nil || o.TTL == 0 { return def }; return
		// o.TTL }: either of the values given. (Other helpers with
		// branches, a policy's switch, stay unknown.)
		ret = &Term{Op: TermPhi, Args: rets, Conds: make([][]Cond, len(rets))}
	}
	r.returns[fn] = ret
	return ret
}

// resultTerm is the Term of result i of fn, a function of this package
// with more than one result besides an error, when every return gives
// it the same string or number computed from fn's parameters: the key
// of func running(st *Store, org string) (Key, uint64, error), which
// returns the key it read with the count it read.
func (r *Result) resultTerm(fn *ssa.Function, i int) *Term {
	if origin := fn.Origin(); origin != nil {
		fn = origin
	}
	results := fn.Signature.Results()
	if fn.Pkg != r.pkg || fn.Blocks == nil || fn.Parent() != nil || i >= results.Len() || results.Len() < 3 && isError(results.At(results.Len()-1).Type()) {
		return nil // (a value and an error is returnTerm's)
	}
	if !basic(results.At(i).Type(), types.IsString|types.IsInteger) {
		return nil
	}
	key := resultOf{fn, i}
	if t, ok := r.results[key]; ok {
		return t
	}
	if r.results == nil {
		r.results = make(map[resultOf]*Term)
	}
	r.results[key] = nil // while it is compiled: recursion knows nothing
	c := &compiler{model: r, fn: fn}
	var ret *Term
	for _, b := range fn.Blocks {
		last, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
		if !ok || len(last.Results) != results.Len() {
			continue
		}
		t := c.term(last.Results[i], 0)
		if t.Find(func(s *Term) bool { return s.Op == TermOpaque }) != nil || ret != nil && ret.String() != t.String() {
			return nil
		}
		ret = t
	}
	r.results[key] = ret
	return ret
}

// A resultOf names one result of a function.
type resultOf struct {
	fn *ssa.Function
	i  int
}

// opensNamespaceOnly reports whether fn returns only Workers KV
// bindings it opens by name: s.Namespace() returning
// kv.NewNamespace(s.binding), the same namespace for the same binding.
func opensNamespaceOnly(fn *ssa.Function) bool {
	found := false
	for _, b := range fn.Blocks {
		ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
		if !ok || len(ret.Results) == 0 {
			continue
		}
		v := ret.Results[0]
		if e, ok := v.(*ssa.Extract); ok && e.Index == 0 {
			v = e.Tuple
		}
		call, ok := v.(*ssa.Call)
		if !ok || !opensNamespace(call) {
			return false
		}
		found = true
	}
	return found
}

// notGiven reports whether t is anything but a parameter or a field of
// one.
func notGiven(t *Term) bool {
	if t.Op == TermField && len(t.Args) == 1 {
		t = t.Args[0]
	}
	return t.Op != TermParam
}

// zero reports whether v is the constant zero of its type.
func zero(v ssa.Value) bool {
	c, ok := v.(*ssa.Const)
	if !ok {
		return false
	}
	return c.Value == nil || c.Value.Kind() == constant.Int && constant.Sign(c.Value) == 0 ||
		c.Value.Kind() == constant.String && constant.StringVal(c.Value) == ""
}

// unsetGuarded reports whether b is entered only when a pointer parameter
// is nil, or a number parameter zero: the zero a nil-safe accessor or a
// floor returns there stands for no value given rather than a value.
func unsetGuarded(b *ssa.BasicBlock) bool {
	if len(b.Preds) != 1 {
		return false
	}
	pred := b.Preds[0]
	ifs, ok := pred.Instrs[len(pred.Instrs)-1].(*ssa.If)
	if !ok {
		return false
	}
	cmp, ok := ifs.Cond.(*ssa.BinOp)
	if !ok || cmp.Op != token.EQL && cmp.Op != token.NEQ {
		return false
	}
	param, _ := cmp.X.(*ssa.Parameter)
	if p, ok := cmp.Y.(*ssa.Parameter); ok {
		param = p
	}
	if param == nil {
		return false
	}
	_, ptr := param.Type().Underlying().(*types.Pointer)
	switch {
	case ptr && (IsNil(cmp.X) || IsNil(cmp.Y)):
	case basic(param.Type(), types.IsInteger) && (zero(cmp.X) || zero(cmp.Y)):
		// A number that is zero when not given, returned as it is:
		// func Floor(d time.Duration) time.Duration { if d == 0 { return
		// 0 }; return max(d, MinTTL) }.
	default:
		return false
	}
	return equalBranch(pred, cmp) == b
}

// keyFuncName names, in Terms, the call of a function kept in a field.
const keyFuncName = "(func field)"

// keyMethodPrefix names, in Terms, a method called through an interface
// or a type parameter: rec.Key() in a Repo[T Keyer], rec.TTL() in a
// Save[T Record].
const keyMethodPrefix = "(method) "

// ownMethod returns the Term name of call when it asks a value for a
// string or a number through an interface or type parameter, with no
// arguments: a record's rec.Key() or rec.TTL(), or a key's
// k.MarshalText(), whose error comes second. A call site that knows the
// concrete type resolves it (see identityWriter.method and
// evaluator.recordMethod); elsewhere it is not known.
func ownMethod(call *ssa.Call) (string, bool) {
	if !call.Call.IsInvoke() || len(call.Call.Args) != 0 {
		return "", false
	}
	res := call.Call.Signature().Results()
	if res.Len() == 0 || res.Len() > 2 || res.Len() == 2 && !isError(res.At(1).Type()) {
		return "", false
	}
	if t := res.At(0).Type(); !basic(t, types.IsString|types.IsInteger) && !IsBytes(t) {
		return "", false
	}
	return keyMethodPrefix + call.Call.Method.Name(), true
}

// IsBytes reports whether t is a slice of bytes.
func IsBytes(t types.Type) bool {
	sl, ok := t.Underlying().(*types.Slice)
	if !ok {
		return false
	}
	b, ok := sl.Elem().Underlying().(*types.Basic)
	return ok && b.Kind() == types.Byte
}

// keyFuncField returns the function value that call calls, when it
// returns a string and is held where it is set once: a repository's Key
// func(id string) string field, a package's var emailAt =
// keys.Prefixed("email:"), or a local key := keyer("presence:"). Such a
// function builds keys, and is taken to build the same key from the same
// arguments.
func keyFuncField(call *ssa.Call) ssa.Value {
	if call.Call.IsInvoke() {
		return nil
	}
	res := call.Call.Signature().Results()
	if res.Len() != 1 || !basic(res.At(0).Type(), types.IsString) {
		return nil
	}
	switch fn := call.Call.Value.(type) {
	case *ssa.UnOp:
		if fn.Op != token.MUL {
			return nil
		}
		switch x := fn.X.(type) {
		case *ssa.Global:
			if drawsByName(x.Name(), len(call.Call.Args)) {
				return nil // var newToken = tokens.Secret: a draw, not a key
			}
			return fn
		case *ssa.FieldAddr:
			return fn
		case *ssa.FreeVar:
			// A variable of the enclosing function, set once, that its
			// closures share: key := keys.Scoped(prefix)("sess") used by
			// a port's Load and Save alike.
			if made, ok := storedOnce(Binding(x)).(*ssa.Call); ok && made.Call.Signature().Results().Len() == 1 {
				return made
			}
		}
	case *ssa.Call:
		if fn.Call.Signature().Results().Len() == 1 {
			return fn // what a key builder's factory made
		}
	case *ssa.FreeVar:
		if made, ok := Binding(fn).(*ssa.Call); ok && made.Call.Signature().Results().Len() == 1 {
			return made // the same, captured by value
		}
	}
	return nil
}

// storedOnce returns what the only store into alloc writes, or nil.
func storedOnce(v ssa.Value) ssa.Value {
	alloc, ok := v.(*ssa.Alloc)
	if !ok {
		return nil
	}
	var stored ssa.Value
	for _, ref := range *alloc.Referrers() {
		if st, ok := ref.(*ssa.Store); ok && st.Addr == alloc {
			if stored != nil {
				return nil
			}
			stored = st.Val
		}
	}
	return stored
}

// maker is the Term of the call that made a key-building function, by
// the factories it went through: keys.Scoped(prefix)("sess") is
// (keys.Scoped prefix "sess").
func (c *compiler) maker(made *ssa.Call, depth int) *Term {
	at := made
	args := c.callArgs(made, depth)
	for inner, ok := made.Call.Value.(*ssa.Call); ok && CalleeName(made) == "" && depth < maxDepth; inner, ok = made.Call.Value.(*ssa.Call) {
		made, args = inner, append(c.callArgs(inner, depth), args...)
		depth++
	}
	t := &Term{Op: TermCall, Name: CalleeName(made), Args: args}
	if t.Find(func(s *Term) bool { return s.Op == TermOpaque }) != nil && at.Parent() != c.fn {
		// Made in the function around a closure from what that function
		// was given: the one function its closures share, named by where
		// it was made, with the text it was given.
		t = &Term{Op: TermCall, Name: "(made at " + at.Parent().Prog.Fset.Position(at.Pos()).String() + ")"}
		for _, a := range args {
			if a.Op == TermConst {
				t.Args = append(t.Args, a)
			}
		}
	}
	return t
}

// keyFuncMaker returns the call that made the key-building function fn
// (see keyFuncField), when it is made once: keys.Prefixed("email:") stored
// in a package variable, or a local key := keyer("presence:").
func (r *Result) keyFuncMaker(fn ssa.Value) *ssa.Call {
	if load, ok := fn.(*ssa.UnOp); ok {
		if g, ok := load.X.(*ssa.Global); ok {
			if stored := r.storedInto(g); len(stored) == 1 {
				fn = stored[0]
			}
		}
	}
	made, _ := fn.(*ssa.Call)
	return made
}
