package kvapi

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"slices"
	"sort"
	"strings"

	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/ssa"
	"golang.org/x/tools/go/types/typeutil"
)

// A Source is one way an operand gets its value: the value given at the
// call, or stored into an options struct or bulk pair before it.
type Source struct {
	Value ssa.Value
	// Expr is the expression as written where the value was given (the
	// call argument, the field's composite-literal value, the right-hand
	// side of the field assignment); nil when that is not known.
	Expr ast.Expr
	// Pos is where the value was given; valid even when Expr is nil.
	Pos token.Pos
	// Block is the block of the field store that gave the value, nil for
	// an argument: an option set under "if ttl > 0" is set only then.
	Block *ssa.BasicBlock
	// Explicit is set for a generated SDK's param.Field given with
	// cloudflare.F and friends: it is sent even when it is zero.
	Explicit bool
	// Duration is set when a lifetime is given as a time.Duration, as a
	// configured interface may take it, rather than in seconds.
	Duration bool

	// For an operation inside a wrapper in another package, Value is nil
	// and Term says how the operand is computed from the wrapper's
	// parameters, bound to Args, the caller's arguments; Conds are what
	// those must satisfy for the wrapper to reach the operation.
	Term  *Term
	Args  []ssa.Value
	Conds []Cond

	// madeBy is the call of a helper of this package that computed
	// Value from its parameters, as an options struct it returns.
	madeBy *ssa.Call
	// manyElems is set for a field of each element of a slice that is
	// not a literal of one: its text is known, but it names no one key.
	manyElems bool
	// constructed is set for a field of a struct that a constructor made
	// and returned (see exportResultFields): what the constructor set it
	// to, over the constructor call's arguments.
	constructed bool
}

// ManyElems reports whether the source is a field of each element of a
// slice that is not a literal of one, such as the keys of a batch.
func (s Source) ManyElems() bool { return s.manyElems }

// Inputs returns the values of this package that the source is computed
// from: its value, or the arguments its wrapper's Term uses.
func (s Source) Inputs() []ssa.Value {
	return s.InputsPruned(nil)
}

// InputsPruned is Inputs, where at, when not nil, may answer for a part
// of the Term instead of its parameters: the values it stands for, and
// stop to leave its parts out (a call's result is not its arguments).
func (s Source) InputsPruned(at func(t *Term) (vals []ssa.Value, stop bool)) []ssa.Value {
	if s.Term == nil {
		return []ssa.Value{s.Value}
	}
	var in []ssa.Value
	add := func(v ssa.Value) {
		if !slices.Contains(in, v) {
			in = append(in, v)
		}
	}
	var walk func(t *Term)
	walk = func(t *Term) {
		if at != nil {
			vals, stop := at(t)
			for _, v := range vals {
				add(v)
			}
			if stop {
				return
			}
		}
		if t.Op == TermParam && t.Index < len(s.Args) {
			add(s.Args[t.Index])
		}
		for _, a := range t.Args {
			walk(a)
		}
	}
	walk(s.Term)
	return in
}

// maxDepth bounds the walk through helpers, phis and copies.
const maxDepth = 8

// Sources returns the values that operand o of the operation may take: one
// per argument, field store or bulk pair that reaches the call. It returns
// nil when the operation has no such operand or it is not given.
func (op *Op) Sources(o Operand) []Source {
	if op.rest != nil {
		return op.rest[o]
	}
	if op.Wrapped != nil {
		srcs := op.wrappedSources(o)
		if o == Key {
			srcs = op.model.constructedKeys(srcs)
		}
		return srcs
	}
	srcs := op.sources(o)
	if o == Key {
		srcs = op.model.constructedKeys(srcs)
	}
	if len(srcs) == 0 {
		srcs = op.queryOptions(o)
	}
	for i, src := range srcs {
		srcs[i].Duration = src.Value != nil && IsDuration(src.Value.Type())
		if o == Expiration && src.Value != nil && IsTime(src.Value.Type()) {
			// A configured interface's expiration given as a time.Time:
			// the Unix seconds its adapter sends.
			srcs[i].Term = &Term{Op: TermCall, Name: unixSeconds, Args: []*Term{{Op: TermParam, Index: 0}}}
			srcs[i].Args = []ssa.Value{src.Value}
			srcs[i].Value = nil
		}
	}
	return srcs
}

// unixSeconds is the Term name of time.Time's Unix method.
const unixSeconds = "(time.Time).Unix"

func (op *Op) sources(o Operand) []Source {
	if _, own := op.Method.Operands[o]; op.Method.Role == BulkPut && !own {
		// A port's method that writes one pair it is given each part of
		// (PutMeta(ctx, key, value, meta, ttl)) has them as its own
		// operands; a bulk write has them in its pairs.
		if name, ok := PairFields[o]; ok {
			var srcs []Source
			for _, pair := range op.Sources(Pairs) {
				for _, elem := range op.model.elements(pair.Value, 0) {
					srcs = append(srcs, op.model.fieldSources(elem, name, 0)...)
				}
			}
			return op.model.unwrapAll(srcs)
		}
	}
	loc, ok := op.Method.Operands[o]
	if !ok {
		return nil
	}
	v := op.arg(loc.Index)
	if v == nil {
		return nil
	}
	if loc.Field == "" {
		var e ast.Expr
		if op.Expr != nil && loc.Index >= 0 && loc.Index < len(op.Expr.Args) {
			e = op.Expr.Args[loc.Index]
		}
		return op.model.unwrapAll([]Source{{Value: v, Expr: e, Pos: op.Pos()}})
	}
	if p, ok := v.(*ssa.Parameter); ok {
		// Options this function was given: its callers built them, and
		// say what the field holds.
		field := &Term{Op: TermField, Name: loc.Field, Args: []*Term{{Op: TermParam, Index: 0}}}
		t := inSentUnits(o, fieldType(p.Type(), p.Parent().Pkg.Pkg, loc.Field), field)
		return []Source{{Term: t, Args: []ssa.Value{p}, Pos: op.Pos()}}
	}
	return op.model.unwrapAll(op.model.fieldSources(v, loc.Field, 0))
}

// queryOptions returns the operand o that a call of cloudflare-go v2 or
// later sends as a query parameter among its request options, where its
// params have no field for it: option.WithQuery("expiration_ttl",
// strconv.Itoa(ttl)) in the options of Values.Update.
func (op *Op) queryOptions(o Operand) []Source {
	if op.Call.Common().IsInvoke() || op.Expr == nil {
		return nil
	}
	var srcs []Source
	for _, a := range op.Call.Common().Args {
		sl, ok := a.Type().Underlying().(*types.Slice)
		if ok && isRequestOption(sl.Elem()) {
			srcs = append(srcs, op.model.queried(a, o, op.Pos())...)
		}
	}
	return srcs
}

// queried returns operand o as the request options in the slice opts
// send it as a query parameter: n in option.WithQuery("expiration_ttl",
// strconv.Itoa(n)). Options that a named function is given, to pass on
// (n.update(ctx, key, value, opts)), are its callers' to build: for them
// it is a TermQuery of the parameter.
func (r *Result) queried(opts ssa.Value, o Operand, pos token.Pos) []Source {
	if p, ok := opts.(*ssa.Parameter); ok && p.Parent().Parent() == nil {
		for name, qo := range queryOperands {
			if qo == o {
				t := &Term{Op: TermQuery, Name: name, Args: []*Term{{Op: TermParam, Index: 0}}}
				return []Source{{Term: t, Args: []ssa.Value{p}, Pos: pos}}
			}
		}
	}
	var srcs []Source
	for _, elem := range r.elements(opts, 0) {
		call, ok := elem.(*ssa.Call)
		if !ok || !isQueryOption(call) {
			continue
		}
		name, ok := call.Call.Args[0].(*ssa.Const)
		if !ok || name.Value.Kind() != constant.String || queryOperands[constant.StringVal(name.Value)] != o {
			continue
		}
		v, ok := call.Call.Args[1].(*ssa.Call)
		if !ok {
			continue // a number in a string, parsed elsewhere
		}
		switch CalleeName(v) {
		case "strconv.Itoa", "strconv.FormatInt", "strconv.FormatUint":
			src := Source{Value: v.Call.Args[0], Pos: pos, Block: call.Block(), Expr: r.exprOf(v.Call.Args[0])}
			if e := r.CallExpr(v.Pos()); src.Expr == nil && e != nil && len(e.Args) > 0 {
				src.Expr = e.Args[0] // strconv.Itoa(45)
			}
			if src.Expr != nil {
				src.Pos = src.Expr.Pos()
			}
			srcs = append(srcs, src)
		}
	}
	return srcs
}

// isRequestOption reports whether t is cloudflare-go's option.RequestOption.
func isRequestOption(t types.Type) bool {
	var obj *types.TypeName
	switch t := t.(type) {
	case *types.Alias: // type RequestOption = func(*requestconfig.RequestConfig) error
		obj = t.Obj()
	case *types.Named:
		obj = t.Obj()
	default:
		return false
	}
	return obj.Name() == "RequestOption" && obj.Pkg() != nil && isOptionPackage(obj.Pkg().Path())
}

// isQueryOption reports whether call is cloudflare-go's option.WithQuery
// or WithQueryAdd.
func isQueryOption(call *ssa.Call) bool {
	fn := call.Call.StaticCallee()
	if fn == nil || fn.Pkg == nil || !isOptionPackage(fn.Pkg.Pkg.Path()) || len(call.Call.Args) != 2 {
		return false
	}
	return fn.Name() == "WithQuery" || fn.Name() == "WithQueryAdd"
}

// isOptionPackage reports whether path is the option package of
// cloudflare-go v2 or later.
func isOptionPackage(path string) bool {
	module, ok := strings.CutSuffix(path, "/option")
	return ok && InSDK(path, "") && strings.HasPrefix(module, "github.com/cloudflare/cloudflare-go/v")
}

// identifiable reports whether src renders to an identity (see identity).
func (r *Result) identifiable(src Source) bool {
	_, ok := r.identity(src, true)
	return ok
}

// betterUnresolved reports whether a key is named as the Term src, over
// the fields it reads, and not in some source of resolved.
func (r *Result) betterUnresolved(resolved []Source, src Source) bool {
	if _, ok := r.identity(src, false); !ok {
		return false
	}
	return slices.ContainsFunc(resolved, func(s Source) bool {
		_, ok := r.identity(s, false)
		return !ok
	})
}

// holder returns the value a call through a storage port or a
// function-typed field is made on: the port, or the struct of the field.
func (op *Op) holder() ssa.Value {
	common := op.Call.Common()
	switch {
	case op.executor != nil:
		return op.executor
	case op.viaPort && common.IsInvoke():
		return common.Value
	case op.viaPort && len(op.Args) > 0:
		return op.Args[0]
	}
	if load, ok := common.Value.(*ssa.UnOp); ok && load.Op == token.MUL {
		if fa, ok := load.X.(*ssa.FieldAddr); ok {
			return fa.X
		}
	}
	return nil
}

// wrappedSources returns a wrapper call's operand: the wrapper's Terms,
// bound to this call's arguments.
func (op *Op) wrappedSources(o Operand) []Source {
	var srcs []Source
	args := op.Args
	ot := op.Wrapped.operand(o)
	for _, t := range ot.Terms {
		if t.Op == TermQuery && len(t.Args) == 1 && t.Args[0].Op == TermParam {
			// Query options the caller builds for the wrapper to send.
			if i := t.Args[0].Index; i < len(args) && queryOperands[t.Name] == o {
				srcs = append(srcs, op.model.queried(args[i], o, op.Pos())...)
			}
			continue
		}
		if o == Namespace && (t.Op == TermOpaque || !op.model.identifiable(Source{Term: t, Args: args})) {
			// An adapter that opens its namespace in a way not known
			// here (a binding looked up per call): every call through
			// one port value, or one struct of function fields, reaches
			// the same store.
			if holder := op.holder(); holder != nil {
				srcs = append(srcs, Source{Value: holder, Pos: op.Pos()})
				continue
			}
		}
		if o == Namespace && op.model.onBuilt(t, args) {
			// The store a builder chain was started on: s.Write(key)
			// keeps s in the write it returns.
			if resolved, built := op.resolveNestedField(t, o, ot.Duration); built && len(resolved) > 0 {
				srcs = append(srcs, resolved...)
				continue
			}
		}
		if o != Namespace {
			if resolved, built := op.model.resolveField(t, args, op.Call, o == Key); built {
				for _, r := range resolved { // none: the caller leaves it unset
					r.Duration = r.Duration || ot.Duration
					srcs = append(srcs, r)
				}
				continue
			}
			// An operand kept in a field of what the caller passes; not
			// a key's prefix kept by the port itself (s.prefix + key).
			// (Nor one the caller's struct leaves unset: the prefix of a
			// Store value passed to GetJSON[T](ctx, s.store, key) is
			// its own, and the key is still the Term's.)
			// Nor, for a key, one built in a way that cannot be named (a
			// prefix grown over variadic parts) where the field itself can:
			// s.Scope(tenant)'s prefix, read and written through one s.
			if resolved, built := op.resolveNestedField(t, o, ot.Duration); built && (allConstructed(resolved) || !(o == Key && (t.Find(isReceiverField) != nil || len(resolved) == 0 || op.model.betterUnresolved(resolved, Source{Term: t, Args: args})))) {
				srcs = append(srcs, resolved...)
				continue
			}
		}
		src := Source{Term: t, Args: args, Conds: op.Wrapped.Conds, Pos: op.Pos(), Duration: ot.Duration}
		if params := t.appendParams(nil); len(params) == 1 && op.Expr != nil {
			// The operand is computed from one argument: report there. The
			// arguments may start with a receiver, and a variadic
			// parameter is one slice however many arguments fill it.
			sig := op.Call.Common().Signature()
			i := params[0].Index - (len(args) - sig.Params().Len())
			fixed := sig.Params().Len()
			if sig.Variadic() {
				fixed--
			}
			made := madeAt(op.Call.Common(), args)
			if made != nil {
				i = params[0].Index - (len(op.Call.Common().Args) - sig.Params().Len())
			}
			switch {
			case made != nil && i >= fixed:
				// Given to the factory that made the closure called:
				// Through(cache, 20*time.Second), then t.load(ctx, id).
				src.Expr = op.model.argExpr(made, params[0].Index-len(op.Call.Common().Args))
			case op.Expr.Ellipsis.IsValid() || i < 0:
			case i < fixed && i < len(op.Expr.Args):
				src.Expr = op.Expr.Args[i]
			case i == fixed && sig.Variadic() && fixed < len(op.Expr.Args):
				src.Expr = op.model.optionSetting(op.Expr.Args[fixed:], o)
			}
		}
		srcs = append(srcs, src)
	}
	return srcs
}

// madeAt returns the call of the factory whose arguments follow the
// call's own in args, when the call runs a closure the factory made (see
// madeArgs).
func madeAt(common *ssa.CallCommon, args []ssa.Value) *ssa.Call {
	own := len(common.Args)
	if common.IsInvoke() || len(args) <= own {
		return nil
	}
	rest := args[own:]
	refs := rest[0].Referrers()
	if refs == nil {
		return nil // a constant, a function: no call of it to find
	}
	for _, ref := range *refs {
		if call, ok := ref.(*ssa.Call); ok && slices.Equal(call.Call.Args, rest) {
			return call
		}
	}
	return nil
}

// argExpr returns the expression of call's argument i, the receiver
// first, as written; nil if it is not one expression.
func (r *Result) argExpr(call *ssa.Call, i int) ast.Expr {
	expr := r.CallExpr(call.Pos())
	if expr == nil || expr.Ellipsis.IsValid() {
		return nil
	}
	if len(expr.Args) == len(call.Call.Args)-1 {
		i-- // the receiver is not among the arguments
	}
	if i < 0 || i >= len(expr.Args) {
		return nil
	}
	return expr.Args[i]
}

// optionSetting returns the one of a call's variadic options that sets
// operand o (store.WithMetadata(meta) among WithTTL and others), or the
// only option given; nil when that is not known.
func (r *Result) optionSetting(opts []ast.Expr, o Operand) ast.Expr {
	if len(opts) == 1 {
		return opts[0]
	}
	var found, named ast.Expr
	names := 0
	for _, e := range opts {
		call, ok := ast.Unparen(e).(*ast.CallExpr)
		if !ok {
			continue
		}
		fn, ok := typeutil.Callee(r.pass.TypesInfo, call).(*types.Func)
		if !ok {
			continue
		}
		if strings.Contains(strings.ToLower(fn.Name()), operandFlagName(o)) {
			named, names = e, names+1 // WithMetadata: only where no setter says more
		}
		var fact WrapperFact
		if !r.pass.ImportObjectFact(fn.Origin(), &fact) {
			continue
		}
		for i := range fact.Ops {
			if w := &fact.Ops[i]; w.Field != "" && len(w.operand(o).Terms) > 0 {
				if found != nil && found != e {
					return nil // two options set it
				}
				found = e
			}
		}
	}
	if found == nil && names == 1 {
		return named
	}
	return found
}

// OperandField returns the field of a struct argument that op takes
// operand o from (ListOptions.Prefix, or the port's query.Prefix that its
// adapter sends), or "" when o is not given that way.
func (op *Op) OperandField(o Operand) string {
	if op.Wrapped == nil {
		return op.Method.Operands[o].Field
	}
	for _, t := range op.Wrapped.operand(o).Terms {
		for (t.Op == TermConvert || t.Op == TermPhi) && len(t.Args) == 1 {
			t = t.Args[0]
		}
		if t.Op == TermField && len(t.Args) == 1 && t.Args[0].Op == TermParam {
			return t.Name
		}
	}
	return ""
}

// isReceiverField reports whether t is a field of the wrapper's receiver.
func isReceiverField(t *Term) bool {
	return t.Op == TermField && len(t.Args) == 1 && t.Args[0].Op == TermParam && t.Args[0].Index == 0
}

// resolveField returns the values stored into the field that t names of
// a struct the caller passes, (ExpirationTTL $2), or of each element of a
// slice it passes, (ExpirationTTL (elems $2)): the options and pairs that
// this package builds for a helper that sends them. built reports whether
// the structs were found, so that no sources means the field is unset.
// For a key, a struct that a constructor made and returned holds what
// the constructor set (see plainField); its lifetimes and namespace are
// the setters' and builders' to follow.
func (r *Result) resolveField(t *Term, args []ssa.Value, at ssa.CallInstruction, key bool) (srcs []Source, built bool) {
	if t.Op != TermField || len(t.Args) != 1 {
		return nil, false
	}
	name, inner := t.Name, t.Args[0]
	nested := inner.Op == TermField && len(inner.Args) == 1
	if nested {
		// A field of a struct a builder holds, (TTL (opts $0)): known
		// only from the builder's steps, as "opts.TTL".
		name, inner = inner.Name+"."+name, inner.Args[0]
	}
	elems := false
	if inner.Op == TermElems && len(inner.Args) == 1 {
		inner, elems = inner.Args[0], true
	}
	if inner.Op != TermParam || inner.Index >= len(args) {
		return nil, false
	}
	structs := []ssa.Value{args[inner.Index]}
	if elems {
		structs = r.elements(args[inner.Index], 0)
	} else if vals := rangedMapValues(args[inner.Index]); len(vals) > 0 {
		structs = vals // for key, p := range pending: what was put in pending
	}
	if !elems && givenByCaller(args[inner.Index], name) {
		// The caller's own options, copied and completed here, or picked
		// from a variadic parameter: its callers say what the field holds.
		return nil, false
	}
	decoded := false
	for _, v := range structs {
		if t, args, ok := r.plainField(v, name); ok && key && !nested {
			// A typed key handle that TokenKey(s, id) made: its name is
			// what the constructor set, "tok:" + id.
			srcs = append(srcs, Source{Term: t, Args: args, Pos: v.Pos(), constructed: true})
			built = true
			continue
		}
		x := Unconverted(v)
		if mi, ok := x.(*ssa.MakeInterface); ok {
			x = mi.X
		}
		outer, _, _ := strings.Cut(name, ".")
		if st, ok := derefStruct(x.Type()); !ok || fieldIndex(st, outer) < 0 {
			continue // a field of what a port holds (its adapter's key prefix), not of v
		}
		if nested && !r.builtBy(v) {
			continue
		}
		addrs := r.addresses(v, 0)
		built = built || len(addrs) > 0 || r.builtBy(v)
		decoded = decoded || slices.ContainsFunc(addrs, func(a ssa.Value) bool { return filledByCall(a, at) || assignedWhole(a) })
		srcs = append(srcs, r.fieldSources(v, name, 0)...)
	}
	if decoded && len(srcs) == 0 {
		return nil, false // a record read and decoded: its fields are not known here
	}
	srcs = r.unwrapAll(srcs)
	if elems && r.heldInEachElement(args[inner.Index], name) == nil {
		// Each element's field, from where it was built: as many values
		// as elements were appended, whose text is known but which are
		// no one value. (Each element of a literal is one: the key of
		// each pair of PutMany(ctx, []*Pair{record, host}).)
		for i := range srcs {
			srcs[i].manyElems = true
		}
	}
	return srcs, built
}

// assignedWhole reports whether the variable at addr is given a whole
// struct from elsewhere (l, err := repo.Find(ctx, code)), whose fields
// are then what that struct held, not what this function stores.
func assignedWhole(addr ssa.Value) bool {
	if _, isAlloc := addr.(*ssa.Alloc); !isAlloc {
		return false
	}
	for _, ref := range *addr.Referrers() {
		if st, ok := ref.(*ssa.Store); ok && st.Addr == addr {
			if _, isConst := st.Val.(*ssa.Const); !isConst {
				return true
			}
		}
	}
	return false
}

// filledByCall reports whether the variable at addr is given, before the
// operation at, to another call that may fill it: a record decoded from
// what a get read, json.Unmarshal(data, &rec).
func filledByCall(addr ssa.Value, at ssa.CallInstruction) bool {
	if _, isAlloc := addr.(*ssa.Alloc); !isAlloc {
		return false
	}
	fills := func(ref ssa.Instruction) bool {
		call, ok := ref.(ssa.CallInstruction)
		return ok && call != at && (call.Parent() != at.Parent() || Before(call, at))
	}
	for _, ref := range *addr.Referrers() {
		if fills(ref) {
			return true
		}
		if mi, ok := ref.(*ssa.MakeInterface); ok && slices.ContainsFunc(*mi.Referrers(), fills) {
			return true
		}
	}
	return false
}

// resolveNestedField resolves a field of a struct the caller passes that
// t computes with, as a constructor's Term int((Window $1).Seconds())
// does: one Source per value the caller stores in the field, with that
// value as an extra argument, reported where it is written.
func (op *Op) resolveNestedField(t *Term, o Operand, duration bool) (srcs []Source, built bool) {
	args := op.Args
	var field, base *Term
	var resolved []Source
	// A field of a field first, (TTL (opts $0)), as a builder that sets
	// op.opts.TTL knows it; else the field of the argument itself.
	for _, nested := range []bool{true, false} {
		field = t.Find(func(s *Term) bool {
			if s.Op != TermField || len(s.Args) != 1 {
				return false
			}
			inner := s.Args[0]
			if nested {
				if inner.Op != TermField || len(inner.Args) != 1 {
					return false
				}
				inner = inner.Args[0]
			}
			base = baseParam(inner)
			return base != nil
		})
		if field == nil || base.Index >= len(args) {
			continue
		}
		if resolved, built = op.model.resolveField(field, args, op.Call, o == Key); built {
			break
		}
	}
	if !built || len(resolved) == 0 && filledLater(args[base.Index], op.Call) {
		return nil, false
	}
	extra := &Term{Op: TermParam, Index: len(args)}
	key := field.String()
	replace := func(t *Term) *Term {
		return t.rewrite(func(s *Term) *Term {
			if s.String() == key {
				return extra
			}
			return nil
		})
	}
	for _, r := range resolved {
		src := Source{Term: replace(t), Args: append(slices.Clip(args), r.Value), Expr: r.Expr, Pos: r.Pos, Duration: duration, manyElems: r.manyElems, constructed: r.constructed}
		if r.Term != nil {
			// Set by a builder's step from what its caller gave: that
			// step's Term, over its arguments after these.
			shifted := r.Term.shiftParams(len(args))
			src.Term = t.rewrite(func(s *Term) *Term {
				if s.String() == key {
					return shifted
				}
				return nil
			})
			src.Args = append(slices.Clip(args), r.Args...)
		}
		for _, cd := range op.Wrapped.Conds {
			src.Conds = append(src.Conds, Cond{Term: replace(cd.Term), Want: cd.Want})
		}
		srcs = append(srcs, src)
	}
	return srcs, true
}

// allConstructed reports whether every source is a field that a
// constructor set: the key a typed key handle holds is the one its
// constructor made, even as a field of the wrapper's receiver.
func allConstructed(srcs []Source) bool {
	return len(srcs) > 0 && !slices.ContainsFunc(srcs, func(s Source) bool { return !s.constructed })
}

// givenByCaller reports whether the struct v is, on some path, the
// function's parameter: a copy of it that leaves field name alone, or an
// element of a slice parameter (o = opts[0]).
func givenByCaller(v ssa.Value, name string) bool {
	switch v := v.(type) {
	case *ssa.Phi:
		return slices.ContainsFunc(v.Edges, func(e ssa.Value) bool {
			_, isPhi := e.(*ssa.Phi)
			return !isPhi && givenByCaller(e, name)
		})
	case *ssa.UnOp:
		if ia, ok := v.X.(*ssa.IndexAddr); ok && v.Op == token.MUL {
			_, isParam := ia.X.(*ssa.Parameter)
			return isParam
		}
	}
	return copiedParam(v, name) != nil
}

// copiedParam returns the parameter that v, a struct, is a copy of when
// the copy leaves field name as the parameter had it: write(ctx, opts)
// that sets opts.Metadata and passes opts on.
func copiedParam(v ssa.Value, name string) *ssa.Parameter {
	alloc := loadedVar(v)
	if alloc == nil {
		return nil
	}
	return CopyOf(alloc, name)
}

// CopyOf returns the parameter that the local variable alloc holds a copy
// of, when nothing is stored in its field name since. (A variable that
// closures share is not a copy made to be completed.)
func CopyOf(alloc *ssa.Alloc, name string) *ssa.Parameter {
	st, ok := derefStruct(alloc.Type())
	param := startedAs(alloc)
	if !ok || param == nil {
		return nil
	}
	idx := fieldIndex(st, name)
	for _, ref := range *alloc.Referrers() {
		if ref, ok := ref.(*ssa.FieldAddr); ok && ref.Field == idx && slices.ContainsFunc(*ref.Referrers(), func(i ssa.Instruction) bool {
			st, ok := i.(*ssa.Store)
			return ok && st.Addr == ref
		}) {
			return nil
		}
	}
	return param
}

// startedAs returns the parameter that local, a variable of the function
// alone, is a copy of: a struct receiver or parameter, which Go keeps in a
// variable of its own when the function changes it or takes its address.
// Nil when anything else is stored in it whole.
func startedAs(local ssa.Value) *ssa.Parameter {
	alloc, ok := local.(*ssa.Alloc)
	if !ok || alloc.Heap {
		return nil
	}
	var param *ssa.Parameter
	for _, ref := range *alloc.Referrers() {
		if ref, ok := ref.(*ssa.Store); ok {
			p, ok := ref.Val.(*ssa.Parameter)
			if !ok || param != nil {
				return nil
			}
			param = p
		}
	}
	return param
}

// baseParam returns the parameter a struct Term is, or whose elements
// it is: $2 and (elems $2); nil for any other Term.
func baseParam(t *Term) *Term {
	if t.Op == TermElems && len(t.Args) == 1 {
		t = t.Args[0]
	}
	if t.Op == TermParam {
		return t
	}
	return nil
}

// filledLater reports whether v, a pointer to a struct, is given to a
// call other than call: a field its constructor left unset may be filled
// there (w.Write(p) appends to w.buf, which w.Close sends).
func filledLater(v ssa.Value, call ssa.CallInstruction) bool {
	if _, isPtr := v.Type().Underlying().(*types.Pointer); !isPtr || v.Referrers() == nil {
		return false
	}
	for _, ref := range *v.Referrers() {
		if other, ok := ref.(ssa.CallInstruction); ok && other != call {
			return true
		}
		if mi, ok := ref.(*ssa.MakeInterface); ok && mi.Referrers() != nil && len(*mi.Referrers()) > 0 {
			return true // io.Copy(w, r): given as an io.Writer
		}
	}
	return false
}

// paramFields returns, for an operand given in a struct that fn, the
// function summarised, receives as a parameter, a Term naming that field
// of the parameter, or of each element of a slice parameter, so that a
// caller is checked against the struct it builds: write(ctx, pair). The
// struct may reach the operation copied and completed (opts.Metadata =
// ...), picked from a variadic parameter (o = opts[0]), or through a
// storage port whose adapter reads the field.
func (op *Op) paramFields(fn *ssa.Function, o Operand) []*Term {
	if name, ok := PairFields[o]; ok && op.Method.Role == BulkPut {
		var terms []*Term
		for _, pairs := range op.Sources(Pairs) {
			for _, p := range op.model.paramRoots(fn, pairs.Value) {
				if p.Op == TermParam {
					terms = append(terms, &Term{Op: TermField, Name: name, Args: []*Term{{Op: TermElems, Name: "elems", Args: []*Term{p}}}})
				}
			}
			for _, elem := range op.model.elements(pairs.Value, 0) {
				for _, p := range op.model.paramRoots(fn, elem) {
					if p.Op == TermParam {
						terms = append(terms, &Term{Op: TermField, Name: name, Args: []*Term{p}})
					}
				}
			}
		}
		return terms
	}
	if op.Wrapped != nil {
		return op.wrappedParamFields(fn, o)
	}
	loc, ok := op.Method.Operands[o]
	if !ok || loc.Field == "" {
		return nil
	}
	v := op.arg(loc.Index)
	if v == nil {
		return nil
	}
	var terms []*Term
	for _, p := range op.model.paramRoots(fn, v) {
		terms = append(terms, inSentUnits(o, fieldType(v.Type(), fn.Pkg.Pkg, loc.Field), &Term{Op: TermField, Name: loc.Field, Args: []*Term{p}}))
	}
	return terms
}

// wrappedParamFields is paramFields for a call of a wrapper or port whose
// operand is a field of a struct it is given: that struct's roots in
// fn's parameters take its place in the wrapper's Term.
func (op *Op) wrappedParamFields(fn *ssa.Function, o Operand) []*Term {
	if !slices.Contains(fieldOperands, o) {
		return nil // options carry lifetimes and limits; keys and namespaces have their own model
	}
	var terms []*Term
	c := &compiler{model: op.model, fn: fn}
	for _, t := range op.Wrapped.operand(o).Terms {
		field := t.Find(func(s *Term) bool {
			return s.Op == TermField && len(s.Args) == 1 && s.Args[0].Op == TermParam && s.Args[0].Index < len(op.Args)
		})
		if field == nil {
			continue
		}
		j := field.Args[0].Index
		args := c.args(op.Args)
		for _, root := range op.model.paramRoots(fn, op.Args[j]) {
			args[j] = root
			terms = append(terms, t.Substitute(args))
		}
	}
	return terms
}

// paramRoots returns the parameters of fn that the struct v is, as
// Terms: the parameter itself, a variable it was copied into and
// completed there, or an element of a slice parameter (opts[0] of a
// variadic ...PutOptions), as (elems $i). One arm of a phi is enough: o
// is the caller's options when given, else the store's defaults.
func (r *Result) paramRoots(fn *ssa.Function, v ssa.Value) []*Term {
	var roots []*Term
	add := func(t *Term) {
		if !slices.ContainsFunc(roots, func(u *Term) bool { return u.String() == t.String() }) {
			roots = append(roots, t)
		}
	}
	param := func(v ssa.Value) *Term {
		if p, ok := r.outerValue(v, 0).(*ssa.Parameter); ok {
			if i := slices.Index(fn.Params, p); i >= 0 {
				return &Term{Op: TermParam, Index: i}
			}
		}
		return nil
	}
	var walk func(v ssa.Value, depth int)
	walk = func(v ssa.Value, depth int) {
		if depth > maxDepth {
			return
		}
		if p := param(v); p != nil {
			add(p)
			return
		}
		switch x := v.(type) {
		case *ssa.Phi:
			for _, e := range x.Edges {
				walk(e, depth+1)
			}
			return
		case *ssa.Slice:
			if _, isSlice := x.X.Type().Underlying().(*types.Slice); isSlice {
				walk(x.X, depth+1) // a chunk of the parameter: pairs[start:end]
				return
			}
		case *ssa.UnOp:
			if ia, ok := x.X.(*ssa.IndexAddr); ok && x.Op == token.MUL {
				if p := param(ia.X); p != nil {
					add(&Term{Op: TermElems, Name: "elems", Args: []*Term{p}})
				}
				return
			}
		}
		// A struct parameter copied into a variable and completed there.
		for _, addr := range r.addresses(v, 0) {
			for _, stored := range r.storedInto(addr) {
				if p := param(stored); p != nil {
					add(p)
				}
			}
		}
	}
	walk(v, 0)
	return roots
}

// fieldType is the type of field name of the struct t, or what t points
// to; nil if it has none.
func fieldType(t types.Type, pkg *types.Package, name string) types.Type {
	if f, _, _ := types.LookupFieldOrMethod(t, true, pkg, name); f != nil {
		if v, ok := f.(*types.Var); ok {
			return v.Type()
		}
	}
	return nil
}

// inSentUnits is t, a configured interface's lifetime of type typ, in the
// unit an adapter sends: a time.Duration's seconds, a time.Time's Unix
// seconds. (An SDK's own fields are already in seconds.)
func inSentUnits(o Operand, typ types.Type, t *Term) *Term {
	switch {
	case typ == nil:
	case (o == TTL || o == CacheTTL || o == Expiration) && IsDuration(typ):
		return &Term{Op: TermCall, Name: "(time.Duration).Seconds", Args: []*Term{t}}
	case o == Expiration && IsTime(typ):
		return &Term{Op: TermCall, Name: unixSeconds, Args: []*Term{t}}
	}
	return t
}

// outermost returns the named function that fn is, or is a closure in.
func outermost(fn *ssa.Function) *ssa.Function {
	for fn.Parent() != nil {
		fn = fn.Parent()
	}
	return fn
}

// Outermost returns the named function that a closure belongs to, whose
// operations it is summarised with.
func Outermost(fn *ssa.Function) *ssa.Function { return outermost(fn) }

// outerValue follows v out of the closures it is in to the value of the
// enclosing function that it is: a captured variable, a closure's argument,
// the slice that slices.Chunk cuts a batch from.
func (r *Result) outerValue(v ssa.Value, depth int) ssa.Value {
	if depth > maxDepth {
		return v
	}
	switch x := v.(type) {
	case *ssa.FreeVar:
		if bound := r.binding(x); bound != nil {
			return r.outerValue(bound, depth+1)
		}
	case *ssa.UnOp:
		// A variable set once: a parameter that a closure captures.
		switch x.X.(type) {
		case *ssa.Alloc, *ssa.FreeVar:
			if stored := r.storedInto(x.X); x.Op == token.MUL && len(stored) == 1 {
				return r.outerValue(stored[0], depth+1)
			}
		}
	case *ssa.Parameter:
		if s, ok := rangedOver(x, "slices.Chunk"); ok {
			return r.outerValue(s, depth+1)
		}
		if args := r.passed(x); len(args) == 1 {
			return r.outerValue(args[0], depth+1)
		}
	}
	return v
}

// arg returns argument i of the call (Receiver for the receiver).
func (op *Op) arg(i int) ssa.Value {
	common := op.Call.Common()
	args := common.Args
	switch {
	case common.IsInvoke():
		if i == Receiver {
			return common.Value
		}
	case common.Signature().Recv() != nil:
		// A static method call passes the receiver as Args[0].
		if i == Receiver {
			return args[0]
		}
		args = args[1:]
	case i == Receiver:
		// A method value, put := ns.PutString, carries its receiver bound.
		if mc, ok := common.Value.(*ssa.MakeClosure); ok && len(mc.Bindings) == 1 {
			return mc.Bindings[0]
		}
	}
	if i < 0 || i >= len(args) {
		return nil
	}
	return args[i]
}

// fieldSources returns the values stored into field name of the struct
// that v is, or points to.
func (r *Result) fieldSources(v ssa.Value, name string, depth int) []Source {
	if load, ok := v.(*ssa.UnOp); ok && load.Op == token.MUL {
		if _, ok := load.X.(*ssa.Call); ok {
			v = load.X // *newParams(...): the struct a helper returns a pointer to
		}
	}
	if ext, ok := v.(*ssa.Extract); ok && depth < maxDepth {
		// lic, err := r.Find(ctx, id): a result of a function that also
		// returns an error, its fields as the function stores them.
		if call, ok := ext.Tuple.(*ssa.Call); ok && call.Call.StaticCallee() != nil && len(r.returned(ext)) > 0 {
			return r.constructedResult(ext, call, origin(call.Call.StaticCallee()), name, depth)
		}
	}
	if call, ok := v.(*ssa.Call); ok && depth < maxDepth {
		if b := r.ifaces.builders[call.Call.Method]; b != nil && call.Call.IsInvoke() {
			return r.builtSources(call, b, name, depth) // a port's step: kv.Write(key)
		}
		if callee := call.Call.StaticCallee(); callee != nil {
			if b := r.built(callee); b != nil && (b.Fluent || callee.Blocks == nil) {
				return r.builtSources(call, b, name, depth) // a step of a chain: s.Write(key).TTL(d)
			}
			if len(r.returned(call)) > 0 {
				return r.constructed(call, origin(callee), name, depth)
			}
		}
	}
	var srcs []Source
	for _, addr := range r.addresses(v, depth) {
		st, ok := derefStruct(addr.Type())
		if !ok {
			continue
		}
		idx := fieldIndex(st, name)
		if idx < 0 {
			continue
		}
		for _, user := range r.users(addr) {
			switch user := user.(type) {
			case *ssa.FieldAddr:
				if user.X != addr || user.Field != idx {
					continue
				}
				for _, fu := range *user.Referrers() {
					if store, ok := fu.(*ssa.Store); ok && store.Addr == user {
						srcs = append(srcs, Source{Value: store.Val, Expr: r.storedExpr(store), Pos: store.Pos(), Block: store.Block()})
					}
				}
			case *ssa.Store:
				// The whole struct is copied in: follow the copy.
				if user.Addr == addr && depth < maxDepth {
					srcs = append(srcs, r.fieldSources(user.Val, name, depth+1)...)
				}
			}
		}
	}
	return srcs
}

// constructed returns the values stored into field name of the struct
// that a constructor of this package returns, DefaultWeek(clinicID), with
// what the constructor was given standing for its parameters: the same
// value as the caller's, for identity and for constants alike.
func (r *Result) constructed(call *ssa.Call, callee *ssa.Function, name string, depth int) []Source {
	return r.constructedResult(call, call, callee, name, depth)
}

// constructedResult is constructed for result, the call's value or one
// of its results.
func (r *Result) constructedResult(result ssa.Value, call *ssa.Call, callee *ssa.Function, name string, depth int) []Source {
	var srcs []Source
	for _, res := range r.returned(result) {
		for _, src := range r.fieldSources(res, name, depth+1) {
			if inst, ok := src.Value.(ssa.Instruction); ok && inst.Parent() == callee && src.madeBy == nil {
				// &kv.PutOptions{ExpirationTTL: int(o.TTL / time.Second)}
				// in a helper: a wrapper's summary says it over the
				// helper's parameters, bound to what this call gives.
				src.madeBy = call
			} else if p, ok := src.Value.(*ssa.Parameter); ok && p.Parent() == callee {
				src = r.givenAt(src, call, p)
			}
			srcs = append(srcs, src)
		}
	}
	return srcs
}

// rangedMapValues returns the values stored into the map that v, the value of
// a range over it, comes from: params kept in a map by key and sent by a
// later loop. Nil when v is not such a value, or the map is not one this
// function made and filled.
func rangedMapValues(v ssa.Value) []ssa.Value {
	ext, ok := v.(*ssa.Extract)
	if !ok || ext.Index != 2 {
		return nil
	}
	next, ok := ext.Tuple.(*ssa.Next)
	if !ok || next.IsString {
		return nil
	}
	rng, ok := next.Iter.(*ssa.Range)
	if !ok {
		return nil
	}
	m, ok := rng.X.(*ssa.MakeMap)
	if !ok {
		return nil
	}
	var vals []ssa.Value
	for _, ref := range *m.Referrers() {
		if upd, ok := ref.(*ssa.MapUpdate); ok && upd.Map == m {
			vals = append(vals, upd.Value)
		}
	}
	return vals
}

// givenAt returns src, the helper's parameter p, as the argument that
// call gives for it, reported at that argument, where the caller gives it.
func (r *Result) givenAt(src Source, call *ssa.Call, p *ssa.Parameter) Source {
	callee := p.Parent()
	if i := slices.Index(callee.Params, p); i >= 0 && i < len(call.Call.Args) {
		src.Value, src.Expr, src.Pos, src.madeBy = call.Call.Args[i], nil, call.Pos(), nil
		if e := r.CallExpr(call.Pos()); e != nil && !e.Ellipsis.IsValid() {
			if j := i - (len(call.Call.Args) - len(e.Args)); j >= 0 && j < len(e.Args) {
				src.Expr, src.Pos = e.Args[j], e.Args[j].Pos()
			}
		}
	}
	return src
}

// retypedParam returns the parameter of the helper that made src whose value
// src is, only retyped (shared.UnionString(val), any(val)), or nil: the
// same value as the caller's argument, not every caller's.
func retypedParam(src Source) *ssa.Parameter {
	if src.madeBy == nil {
		return nil
	}
	if p, ok := retyped(src.Value).(*ssa.Parameter); ok && p.Parent() == src.madeBy.Call.StaticCallee() {
		return p
	}
	return nil
}

// madeTerm returns the Term of a source that a helper computed from its
// parameters (see Source.madeBy), over the helper's parameters and
// guarded by the branches that lead to it; nil when it cannot be
// expressed so.
func (r *Result) madeTerm(src Source) *Term {
	callee := src.madeBy.Call.StaticCallee()
	c := &compiler{model: r, fn: callee}
	t := c.term(src.Value, 0)
	if !t.Params() || t.Find(func(s *Term) bool { return s.Op == TermOpaque }) != nil {
		return nil
	}
	if src.Block != nil && src.Block.Parent() == callee {
		if conds := c.Conds(src.Block, 0); len(conds) > 0 {
			t = &Term{Op: TermPhi, Args: []*Term{t}, Conds: [][]Cond{conds}}
		}
	}
	return t
}

// addresses returns the memory locations that hold the struct value v,
// or that the pointer v points to.
func (r *Result) addresses(v ssa.Value, depth int) []ssa.Value {
	if depth > maxDepth {
		return nil
	}
	switch v := v.(type) {
	case *ssa.Alloc, *ssa.FieldAddr, *ssa.IndexAddr, *ssa.Global:
		return []ssa.Value{v}
	case *ssa.UnOp:
		if v.Op != token.MUL {
			return nil
		}
		if _, isPtr := v.Type().Underlying().(*types.Pointer); isPtr {
			// A loaded pointer: follow what was stored where it was loaded from.
			var addrs []ssa.Value
			for _, stored := range r.storedInto(v.X) {
				addrs = append(addrs, r.addresses(stored, depth+1)...)
			}
			return addrs
		}
		return r.addresses(v.X, depth+1)
	case *ssa.Phi:
		var addrs []ssa.Value
		for _, e := range v.Edges {
			addrs = append(addrs, r.addresses(e, depth+1)...)
		}
		return addrs
	case *ssa.ChangeType:
		return r.addresses(v.X, depth+1)
	case *ssa.MakeInterface:
		return r.addresses(v.X, depth+1)
	case *ssa.FreeVar:
		// Params built outside a closure that makes the call, as a retry
		// helper's does: policy.Do(ctx, func() error { ...Update(..., params) }).
		if b := r.binding(v); b != nil {
			return r.addresses(b, depth+1)
		}
	case *ssa.Parameter:
		var addrs []ssa.Value
		if s, ok := rangedOver(v, "slices.Values", "slices.All"); ok {
			for _, elem := range r.elements(s, depth+1) {
				addrs = append(addrs, r.addresses(elem, depth+1)...)
			}
		}
		for _, arg := range r.passed(v) {
			addrs = append(addrs, r.addresses(arg, depth+1)...)
		}
		return addrs
	case *ssa.Call, *ssa.Extract:
		var addrs []ssa.Value
		for _, res := range r.returned(v) {
			addrs = append(addrs, r.addresses(res, depth+1)...)
		}
		return addrs
	}
	return nil
}

// Elements returns the values put into the slice or array v: literal
// elements, appended values, indexed stores (see elements).
func (r *Result) Elements(v ssa.Value) []ssa.Value { return r.elements(v, 0) }

// elements returns the struct values, or pointers to them, that are put
// into the slice v: literal elements, appended values, indexed stores.
// Each once: a slice appended to in a loop reaches its appends by
// several ways, and callers walk every element.
func (r *Result) elements(v ssa.Value, depth int) []ssa.Value {
	elems := r.elementsOf(v, depth)
	seen := make(map[ssa.Value]bool, len(elems))
	return slices.DeleteFunc(elems, func(e ssa.Value) bool {
		dup := seen[e]
		seen[e] = true
		return dup
	})
}

// elementsOf is elements, with duplicates.
func (r *Result) elementsOf(v ssa.Value, depth int) []ssa.Value {
	if depth > maxDepth {
		return nil
	}
	switch v := v.(type) {
	case *ssa.Slice:
		return r.elements(v.X, depth+1)
	case *ssa.ChangeType:
		return r.elements(v.X, depth+1)
	case *ssa.Convert:
		return r.elements(v.X, depth+1)
	case *ssa.Phi:
		var elems []ssa.Value
		for _, e := range v.Edges {
			elems = append(elems, r.elements(e, depth+1)...)
		}
		return elems
	case *ssa.Call:
		if b, ok := v.Call.Value.(*ssa.Builtin); ok && b.Name() == "append" {
			var elems []ssa.Value
			for _, a := range v.Call.Args {
				elems = append(elems, r.elements(a, depth+1)...)
			}
			return elems
		}
		var elems []ssa.Value
		for _, res := range r.returned(v) {
			elems = append(elems, r.elements(res, depth+1)...)
		}
		return elems
	case *ssa.UnOp:
		if v.Op == token.MUL {
			if fa, ok := v.X.(*ssa.FieldAddr); ok {
				return append(r.bufferedElements(FieldOf(fa), depth), r.indexedThroughLoads(v.X)...)
			}
			var elems []ssa.Value
			for _, stored := range r.storedInto(v.X) {
				elems = append(elems, r.elements(stored, depth+1)...)
			}
			return append(elems, r.indexedThroughLoads(v.X)...)
		}
	case *ssa.Parameter:
		var elems []ssa.Value
		if s, ok := rangedOver(v, "slices.Chunk"); ok {
			elems = r.elements(s, depth+1)
		}
		for _, arg := range r.passed(v) {
			elems = append(elems, r.elements(arg, depth+1)...)
		}
		return elems
	case *ssa.Alloc, *ssa.MakeSlice:
		// An array or slice: its elements are what is stored at its
		// indices, directly or through the slice of it that the code
		// uses (make([]T, 64) is an array sliced whole).
		bases := []ssa.Value{v}
		for _, user := range r.users(v) {
			if s, ok := user.(*ssa.Slice); ok && s.X == v {
				bases = append(bases, s)
			}
		}
		var elems []ssa.Value
		for _, base := range bases {
			for _, user := range r.users(base) {
				ia, ok := user.(*ssa.IndexAddr)
				if !ok || ia.X != base {
					continue
				}
				if _, isStruct := derefStruct(ia.Type()); isStruct {
					elems = append(elems, ia) // []T: the element is the struct itself
					continue
				}
				elems = append(elems, r.storedInto(ia)...)
			}
		}
		return elems
	}
	return nil
}

// bufferedElements returns what the package appends to the slice held in
// field f, wherever it does so: a buffer that one method fills
// (w.pending = append(w.pending, pair)) and another flushes. The field's
// own earlier contents, appended to, are not followed again.
func (r *Result) bufferedElements(f *types.Var, depth int) []ssa.Value {
	var elems []ssa.Value
	for _, stored := range r.storedIn(f) {
		if call, ok := stored.(*ssa.Call); ok {
			if b, ok := call.Call.Value.(*ssa.Builtin); ok && b.Name() == "append" {
				for _, a := range call.Call.Args {
					if !loadsField(a, f) {
						elems = append(elems, r.elements(a, depth+1)...)
					}
				}
				continue
			}
		}
		elems = append(elems, r.elements(stored, depth+1)...)
	}
	return elems
}

// loadsField reports whether v is a load of field f.
func loadsField(v ssa.Value, f *types.Var) bool {
	load, ok := v.(*ssa.UnOp)
	if !ok || load.Op != token.MUL {
		return false
	}
	fa, ok := load.X.(*ssa.FieldAddr)
	return ok && FieldOf(fa) == f
}

// indexedThroughLoads returns what is stored at the indices of the slice
// held in the variable addr, wherever it is loaded, in closures too:
// results[i] = pair inside wg.Go(func() { ... }).
func (r *Result) indexedThroughLoads(addr ssa.Value) []ssa.Value {
	var elems []ssa.Value
	for _, user := range r.usersInClosures(addr) {
		load, ok := user.(*ssa.UnOp)
		if !ok || load.Op != token.MUL {
			continue
		}
		for _, ref := range *load.Referrers() {
			ia, ok := ref.(*ssa.IndexAddr)
			if !ok || ia.X != load {
				continue
			}
			if _, isStruct := derefStruct(ia.Type()); isStruct {
				elems = append(elems, ia)
				continue
			}
			elems = append(elems, r.storedInto(ia)...)
		}
	}
	return elems
}

// usersInClosures returns the users of v, and those of the free
// variables that capture v in closures, closures within them too.
func (r *Result) usersInClosures(v ssa.Value) []ssa.Instruction {
	var users []ssa.Instruction
	for _, c := range r.captures(v) {
		users = append(users, r.users(c)...)
	}
	return users
}

// captures returns v and the free variables that capture it in the
// closures made where it is, and in those made inside them: the body of
// a range over a function, inside another, that appends to a slice.
func (r *Result) captures(v ssa.Value) []ssa.Value {
	out := []ssa.Value{v}
	for i := 0; i < len(out) && i < maxDepth; i++ {
		for _, user := range r.users(out[i]) {
			mc, ok := user.(*ssa.MakeClosure)
			if !ok {
				continue
			}
			fn := mc.Fn.(*ssa.Function)
			for j, b := range mc.Bindings {
				if b == out[i] && j < len(fn.FreeVars) {
					out = append(out, fn.FreeVars[j])
				}
			}
		}
	}
	return out
}

// passed returns the arguments given for parameter p of a closure at its
// calls in the function that makes it: go func(kvs []*Pair) { ... }(chunk).
// (A named function's parameters are its callers' business: they see it
// as a wrapper.)
func (r *Result) passed(p *ssa.Parameter) []ssa.Value {
	if fn := p.Parent(); fn.Parent() == nil || fn.Synthetic != "" {
		return nil
	}
	if args := r.argsFor(p); len(args) > 0 {
		return args
	}
	return r.givenArgs(p)
}

// argsFor returns the arguments given for parameter p at the static calls
// of its function in this package.
func (r *Result) argsFor(p *ssa.Parameter) []ssa.Value {
	fn := p.Parent()
	i := slices.Index(fn.Params, p)
	var args []ssa.Value
	for _, call := range r.CallSites(fn) {
		if common := call.Common(); !common.IsInvoke() && i >= 0 && i < len(common.Args) {
			args = append(args, common.Args[i])
		}
	}
	return args
}

// rangedOver returns the slice s when p is the loop variable of
// "for p := range iter(s)", iter one of iters: a batch of slices.Chunk,
// an element of slices.Values, the value of slices.All.
func rangedOver(p *ssa.Parameter, iters ...string) (ssa.Value, bool) {
	iter := Iterator(p)
	if iter == nil || len(iter.Call.Args) == 0 || !slices.Contains(iters, CalleeName(iter)) {
		return nil, false
	}
	// slices.All yields the index first.
	if yield := p.Parent(); slices.Index(yield.Params, p) != len(yield.Params)-1 {
		return nil, false
	}
	return iter.Call.Args[0], true
}

// ChunkedBy returns, for a bulk operation run once per chunk of "for c
// := range slices.Chunk(xs, size)" and given what it builds from c, the
// call of slices.Chunk; else nil.
func (r *Result) ChunkedBy(op *Op) *ssa.Call {
	yield := op.Call.Parent()
	if yield.Synthetic != "range-over-func yield" || len(yield.Params) != 1 {
		return nil
	}
	chunk := yield.Params[0]
	seq := Iterator(chunk)
	if seq == nil || CalleeName(seq) != "slices.Chunk" || len(seq.Call.Args) != 2 {
		return nil
	}
	for _, o := range [...]Operand{Pairs, Keys} {
		for _, src := range op.Sources(o) {
			if r.DependsOnAny(src.Inputs(), op.Call, []ssa.Value{chunk}) {
				return seq
			}
		}
	}
	return nil
}

// Iterator returns the call that made the iterator whose range yields p
// to the loop's body: slices.Chunk(xs, 100) in "for p := range
// slices.Chunk(xs, 100)".
func Iterator(p *ssa.Parameter) *ssa.Call {
	yield := p.Parent()
	if yield.Synthetic != "range-over-func yield" {
		return nil
	}
	for _, call := range handedTo(yield) {
		mc, ok := call.Call.Args[0].(*ssa.MakeClosure)
		if iter, isCall := call.Call.Value.(*ssa.Call); isCall && len(call.Call.Args) == 1 && ok && mc.Fn == yield {
			return iter
		}
	}
	return nil
}

// storedInto returns the values stored at addr, here or in the closures
// that capture it.
func (r *Result) storedInto(addr ssa.Value) []ssa.Value {
	for range maxDepth {
		// A closure's captured variable: the variable of its parent, or
		// of the function that made that closure (a middleware's handler).
		fv, ok := addr.(*ssa.FreeVar)
		if !ok {
			break
		}
		bound := r.binding(fv)
		if bound == nil {
			break
		}
		addr = bound
	}
	var vals []ssa.Value
	for _, at := range r.captures(addr) {
		for _, user := range r.users(at) {
			if store, ok := user.(*ssa.Store); ok && store.Addr == at {
				vals = append(vals, store.Val)
			}
		}
	}
	return vals
}

// Returned returns the values that the static callee of call v (a Call,
// or an Extract from one), a function of this package, may return in v's
// place: ttl of return key, ttl.
func (r *Result) Returned(v ssa.Value) []ssa.Value { return r.returned(v) }

// returned returns the values that the static callee of call v (a Call,
// or an Extract from one) may return in v's place.
func (r *Result) returned(v ssa.Value) []ssa.Value {
	index := 0
	if ext, ok := v.(*ssa.Extract); ok {
		index, v = ext.Index, ext.Tuple
	}
	call, ok := v.(*ssa.Call)
	if !ok {
		return nil
	}
	callee := origin(call.Call.StaticCallee())
	if callee == nil || callee.Pkg != r.pkg || len(callee.Blocks) == 0 {
		return nil
	}
	var vals []ssa.Value
	for _, b := range callee.Blocks {
		if ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return); ok && index < len(ret.Results) {
			vals = append(vals, ret.Results[index])
		}
	}
	return vals
}

// origin is the generic function that fn instantiates, or fn: a call of
// r.options() inside a method of Repo[T] calls an instance, whose body
// is its origin's.
func origin(fn *ssa.Function) *ssa.Function {
	if fn != nil && fn.Origin() != nil {
		return fn.Origin()
	}
	return fn
}

// users returns the instructions that use v. Package variables have no
// referrers in SSA, so their users are found by one scan of the package.
func (r *Result) users(v ssa.Value) []ssa.Instruction {
	g, ok := v.(*ssa.Global)
	if !ok {
		if refs := v.Referrers(); refs != nil {
			return *refs
		}
		return nil
	}
	if r.globals == nil {
		r.globals = make(map[*ssa.Global][]ssa.Instruction)
		for _, fn := range r.funcs {
			for _, b := range fn.Blocks {
				for _, instr := range b.Instrs {
					for _, op := range instr.Operands(nil) {
						if g, ok := (*op).(*ssa.Global); ok {
							r.globals[g] = append(r.globals[g], instr)
						}
					}
				}
			}
		}
	}
	return r.globals[g]
}

// unwrapAll replaces generated-SDK param.Field values by what they wrap.
func (r *Result) unwrapAll(srcs []Source) []Source {
	out := srcs[:0:0]
	for _, s := range srcs {
		out = append(out, r.unwrap(s, 0)...)
	}
	return out
}

func (r *Result) unwrap(s Source, depth int) []Source {
	if s.Value == nil || !isParamField(s.Value.Type()) || depth > maxDepth {
		return []Source{s}
	}
	switch v := s.Value.(type) {
	case *ssa.Call:
		if callee := v.Call.StaticCallee(); callee != nil && len(v.Call.Args) == 1 {
			if fn, ok := callee.Object().(*types.Func); ok && isFieldHelper(fn) {
				inner := Source{Value: v.Call.Args[0], Pos: s.Pos, Block: s.Block, Explicit: true, madeBy: s.madeBy}
				if mi, ok := inner.Value.(*ssa.MakeInterface); ok { // cloudflare.Raw
					inner.Value = mi.X
				}
				if call, ok := ast.Unparen(s.Expr).(*ast.CallExpr); ok && len(call.Args) == 1 {
					inner.Expr = call.Args[0]
				}
				if p := retypedParam(inner); p != nil {
					// Value: cloudflare.F(shared.UnionString(val)) in a
					// helper the caller gives val.
					inner = r.givenAt(inner, inner.madeBy, p)
				}
				return []Source{inner}
			}
		}
	case *ssa.UnOp, *ssa.Phi:
		// param.Field{Value: x, Present: true} written out, or a choice of them.
		if inner := r.fieldSources(v, "Value", depth+1); len(inner) > 0 {
			for i := range inner {
				inner[i].Explicit = true
				inner[i].madeBy = s.madeBy
			}
			return inner
		}
	}
	return []Source{s}
}

// isParamField reports whether t is the generated SDKs' param.Field[T].
func isParamField(t types.Type) bool {
	named, ok := types.Unalias(t).(*types.Named)
	if !ok || named.Obj().Name() != "Field" || named.Obj().Pkg() == nil {
		return false
	}
	path := named.Obj().Pkg().Path()
	return strings.HasPrefix(path, "github.com/cloudflare/cloudflare-go/") && strings.HasSuffix(path, "/param")
}

// StoredExpr returns the expression whose value store stores, if the
// source shows one (see storedExpr).
func (r *Result) StoredExpr(store *ssa.Store) ast.Expr { return r.storedExpr(store) }

// storedExpr returns the expression whose value store writes: the value
// of a composite literal's key, or the right-hand side of an assignment.
// SSA places a field store at the literal's colon or the field selector.
func (r *Result) storedExpr(store *ssa.Store) ast.Expr {
	path := r.Path(store.Pos())
	for i, n := range path {
		switch n := n.(type) {
		case *ast.KeyValueExpr:
			return n.Value
		case *ast.AssignStmt:
			if len(n.Lhs) != len(n.Rhs) || i == 0 {
				return nil
			}
			for j, lhs := range n.Lhs {
				if lhs == path[i-1] {
					return n.Rhs[j]
				}
			}
			return nil
		case ast.Stmt, *ast.CompositeLit:
			return nil
		}
	}
	return nil
}

// CallExpr returns the call expression whose opening parenthesis is at lparen.
func (r *Result) CallExpr(lparen token.Pos) *ast.CallExpr {
	for _, n := range r.Path(lparen) {
		if call, ok := n.(*ast.CallExpr); ok && call.Lparen == lparen {
			return call
		}
	}
	return nil
}

// Path returns the syntax nodes enclosing pos, innermost first.
func (r *Result) Path(pos token.Pos) []ast.Node {
	cur, ok := r.syntax.find(pos)
	if !ok {
		return nil
	}
	var path []ast.Node
	for c := range cur.Enclosing() {
		path = append(path, c.Node())
	}
	return path
}

// A posIndex finds the innermost syntax node at a position in time
// logarithmic in the size of its file. (astutil.PathEnclosingInterval
// sorts the children of every node on the way, and the inspector's
// FindByPos steps over every earlier sibling: for a function of n KV
// calls either made the model cost n² or more.)
type posIndex []fileIndex

// A fileIndex holds a file's nodes in preorder, leaving out those that
// start before a node visited earlier (a FuncDecl's FuncType starts at
// "func", before the receiver and name), so that their Pos only grows.
type fileIndex struct {
	file  *ast.File
	nodes []inspector.Cursor
}

func newPosIndex(in *inspector.Inspector) posIndex {
	var idx posIndex
	for fc := range in.Root().Children() {
		fi := fileIndex{file: fc.Node().(*ast.File)}
		last := token.NoPos
		for c := range fc.Preorder() {
			if pos := c.Node().Pos(); pos >= last {
				fi.nodes = append(fi.nodes, c)
				last = pos
			}
		}
		idx = append(idx, fi)
	}
	return idx
}

// find returns the innermost node that contains pos, its end included:
// the last node in preorder that starts at or before pos is inside it, or
// ends before pos beneath it.
func (idx posIndex) find(pos token.Pos) (inspector.Cursor, bool) {
	if !pos.IsValid() {
		return inspector.Cursor{}, false
	}
	for _, fi := range idx {
		if pos < fi.file.FileStart || pos >= fi.file.FileEnd {
			continue
		}
		i := sort.Search(len(fi.nodes), func(i int) bool { return fi.nodes[i].Node().Pos() > pos }) - 1
		if i < 0 {
			return inspector.Cursor{}, false
		}
		for c := fi.nodes[i]; c.Node() != nil; c = c.Parent() {
			if n := c.Node(); n.Pos() <= pos && pos <= n.End() {
				return c, true
			}
		}
	}
	return inspector.Cursor{}, false
}

func derefStruct(t types.Type) (*types.Struct, bool) {
	if p, ok := t.Underlying().(*types.Pointer); ok {
		t = p.Elem()
	}
	st, ok := t.Underlying().(*types.Struct)
	return st, ok
}

func fieldIndex(st *types.Struct, name string) int {
	for i := range st.NumFields() {
		if st.Field(i).Name() == name {
			return i
		}
	}
	return -1
}

// StoredValues returns the values stored, in this package, where load
// reads from: a local variable, or the same field of the same struct.
func (r *Result) StoredValues(load *ssa.UnOp) []ssa.Value {
	switch addr := load.X.(type) {
	case *ssa.Alloc:
		return r.storedInto(addr)
	case *ssa.FieldAddr:
		var vals []ssa.Value
		for _, user := range r.users(addr.X) {
			if fa, ok := user.(*ssa.FieldAddr); ok && fa.X == addr.X && fa.Field == addr.Field {
				vals = append(vals, r.storedInto(fa)...)
			}
		}
		if len(vals) == 0 {
			if set := fieldSetOnce(addr.X, addr.Field); set != nil {
				return []ssa.Value{set} // a field of a copy of a composite literal
			}
		}
		return vals
	}
	return nil
}
