package kvapi

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"maps"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/tools/go/ssa"
	"golang.org/x/tools/go/types/typeutil"
)

// A Frame binds the parameters of a function to the arguments of one call
// of it, so that a value inside a wrapper can be evaluated for one caller:
// Cache.Set(k, v, 30*time.Second) makes the wrapper's int(ttl.Seconds()) 30.
// Outer binds the caller's own parameters, for a wrapper of a wrapper.
type Frame struct {
	Call  ssa.CallInstruction
	Fn    *ssa.Function // the function called, whose parameters are bound
	Outer *Frame
	// Recv is the receiver of a method that a wrapper elsewhere asks a
	// record for, rec.TTL() in Save[T Record]; Call is then nil (see
	// evaluator.recordMethod).
	Recv ssa.Value
}

// WithCaller returns f extended, at its outer end, by call of fn.
func (f *Frame) WithCaller(call ssa.CallInstruction, fn *ssa.Function) *Frame {
	if f == nil {
		return &Frame{Call: call, Fn: fn}
	}
	c := *f
	c.Outer = c.Outer.WithCaller(call, fn)
	return &c
}

// Bound returns the argument that f passes for parameter p, and the frame
// to evaluate it in; ok is false when f does not bind p.
func (f *Frame) Bound(p *ssa.Parameter) (ssa.Value, *Frame, bool) {
	for ; f != nil; f = f.Outer {
		if f.Fn != p.Parent() {
			continue
		}
		i := slices.Index(f.Fn.Params, p)
		if f.Call == nil {
			if i != 0 || f.Recv == nil {
				return nil, nil, false
			}
			return f.Recv, f.Outer, true
		}
		common := f.Call.Common()
		args := common.Args
		if common.IsInvoke() {
			// A method of an implementation: the receiver is the
			// interface's value, the rest are the arguments.
			if i == 0 {
				return common.Value, f.Outer, true
			}
			i--
		}
		if i < 0 || i >= len(args) {
			return nil, nil, false
		}
		return args[i], f.Outer, true
	}
	return nil, nil, false
}

// FieldValues returns the values stored in field name of the struct v,
// each with the frame to evaluate it in, following a parameter to the
// argument f binds it to: a wrapper's Term (ExpireAt $4), with $4 the
// options a caller of this package built. ok is false when the struct is
// not built where f can see it; a field left unset has no values.
func (r *Result) FieldValues(v ssa.Value, name string, f *Frame) (vals []ssa.Value, frames []*Frame, unbound *ssa.Parameter, ok bool) {
	srcs, f, unbound, ok := r.fieldSourcesIn(v, name, f)
	for _, src := range srcs {
		if src.Value != nil {
			vals, frames = append(vals, src.Value), append(frames, f)
		}
	}
	return vals, frames, unbound, ok
}

// fieldSourcesIn is FieldValues with the stores that give the values, and
// the frame they are in; unbound is the parameter f does not bind, when
// that is why the struct is not known.
func (r *Result) fieldSourcesIn(v ssa.Value, name string, f *Frame) (srcs []Source, in *Frame, unbound *ssa.Parameter, ok bool) {
	if phi, isPhi := v.(*ssa.Phi); isPhi {
		// o := defaults; if len(opts) > 0 { o = opts[0] }: the arms whose
		// struct is known, when they are known in one frame.
		for _, e := range phi.Edges {
			if _, isPhi := e.(*ssa.Phi); isPhi {
				continue
			}
			s, eIn, eUnbound, eOK := r.fieldSourcesIn(e, name, f)
			if eUnbound != nil && unbound == nil {
				unbound = eUnbound
			}
			if !eOK {
				continue
			}
			if ok && eIn != in {
				return nil, nil, unbound, false
			}
			srcs, in, ok = append(srcs, s...), eIn, true
		}
		if !ok {
			return nil, nil, unbound, false
		}
		return srcs, in, nil, true
	}
	elems := false // v is an element of the slice it now names: opts[0]
	for range maxDepth {
		if p := copiedParam(v, name); p != nil {
			v = p // the caller's options, completed here in other fields
		}
		if load, isLoad := v.(*ssa.UnOp); isLoad && load.Op == token.MUL && !elems {
			if ia, isIndex := load.X.(*ssa.IndexAddr); isIndex {
				if _, isParam := ia.X.(*ssa.Parameter); isParam {
					v, elems = ia.X, true
				}
			}
		}
		p, isParam := v.(*ssa.Parameter)
		if !isParam {
			break
		}
		if v, f, ok = f.Bound(p); !ok {
			return nil, nil, p, false
		}
	}
	if _, isPhi := v.(*ssa.Phi); isPhi && !elems {
		return r.fieldSourcesIn(v, name, f) // bound to a choice of structs
	}
	structs := []ssa.Value{v}
	if elems {
		structs = r.elements(v, 0)
	}
	for _, s := range structs {
		if len(r.addresses(s, 0)) > 0 {
			ok = true
			srcs = append(srcs, r.fieldSources(s, name, 0)...)
		} else if _, isCall := s.(*ssa.Call); isCall {
			// A struct a builder returns, ops.Get(key): the fields it sets.
			if set := r.fieldSources(s, name, 0); len(set) > 0 {
				ok = true
				srcs = append(srcs, set...)
			}
		}
	}
	if !ok {
		return nil, nil, nil, false
	}
	return srcs, f, nil, true
}

// Eval returns the values that v may take when known at compile time, in
// frame f (nil for none): constants, arithmetic on them, conversions,
// time.Duration's unit methods, min and max, and the arguments bound to
// parameters by f. A phi contributes each of its incoming values whose
// path the known values do not rule out, so a clamp such as
// "if ttl < time.Minute { ttl = time.Minute }" leaves only the minute.
//
// Free lists the parameters that v depends on and that f does not bind:
// binding them through the function's callers may make v known.
func (r *Result) Eval(v ssa.Value, f *Frame) (vals []constant.Value, free []*ssa.Parameter) {
	e := &evaluator{model: r}
	return e.values(v, f, 0), e.free
}

// Constant returns the single value of v known at compile time, or nil.
func (r *Result) Constant(v ssa.Value) constant.Value {
	if vals, _ := r.Eval(v, nil); len(vals) == 1 {
		return vals[0]
	}
	return nil
}

// Reachable reports whether block b can run in frame f: whether the
// branches that lead to it alone are not ruled out by known values, as in
// "if ttl < time.Minute { return errTooShort }" before a put.
func (r *Result) Reachable(b *ssa.BasicBlock, f *Frame) bool {
	e := &evaluator{model: r}
	return e.reachable(b, f, 0)
}

type evaluator struct {
	model *Result
	free  []*ssa.Parameter
	// steer holds the parameters that undecided branches test: the
	// values found are all that any of them allow (a tier's lifetime by a
	// switch on the tier given), and a caller that passes one picks some.
	steer *[]*ssa.Parameter // shared with the evaluators of its branches
	// partial is set when a phi had a way in whose value is not known:
	// its values are then some of the values, not all.
	partial bool
	// fixed holds values taken as known while a branch is decided for
	// each value of a phi's way in on its own (see phi); fixedTerms does
	// the same for a Term's, by its text (see termPhi).
	fixed      map[ssa.Value]constant.Value
	fixedTerms map[string]constant.Value
	// unpicked leaves out the values of a policy that a caller picks by
	// what it passes (see pickedByCaller).
	unpicked bool
	// argsAt is the block of the call whose arguments a Term of another
	// package is evaluated on, for the branches taken on the way there
	// (see ruledOut).
	argsAt *ssa.BasicBlock
	// storedIn is the function whose parameters a stored operand's Term
	// names, unbound (see source).
	storedIn *ssa.Function
	// gaps is set when a Term's phi had a way that can be taken whose
	// value is not known (see helperValue).
	gaps bool
	// plain evaluates a caller's test for one value of its subject (see
	// excludedAt), without ruling values out by the tests before it.
	plain bool
}

// maxValues bounds the set of values tracked for one expression.
const maxValues = 8

func (e *evaluator) values(v ssa.Value, f *Frame, depth int) []constant.Value {
	if depth > maxDepth {
		return nil
	}
	if c, ok := e.fixed[v]; ok {
		return []constant.Value{c}
	}
	switch v := v.(type) {
	case *ssa.Const:
		if v.Value == nil || v.Value.Kind() == constant.Unknown {
			return nil
		}
		return []constant.Value{v.Value}
	case *ssa.Parameter:
		arg, outer, ok := f.Bound(v)
		if given := e.model.givenArgs(v); !ok && len(given) == 1 {
			arg, outer, ok = given[0], f, true // a closure's, from what its caller hands the function that calls it
		}
		if !ok {
			if !slices.Contains(e.free, v) {
				e.free = append(e.free, v)
			}
			return nil
		}
		return e.values(arg, outer, depth+1)
	case *ssa.Convert:
		return mapValues(e.values(v.X, f, depth+1), func(c constant.Value) constant.Value { return convert(c, v.Type()) })
	case *ssa.ChangeType:
		return e.values(v.X, f, depth+1)
	case *ssa.UnOp:
		if g, ok := v.X.(*ssa.Global); ok && v.Op == token.MUL {
			return e.global(g, depth)
		}
		if entries := RangedEntries(v); entries != nil {
			return e.entries(entries, f, depth)
		}
		if ia, ok := v.X.(*ssa.IndexAddr); ok && v.Op == token.MUL {
			if g, ok := ia.X.(*ssa.Global); ok {
				return e.elements(g, e.values(ia.Index, f, depth+1), depth) // lifetimes[KindMiss]
			}
		}
		if fa, ok := v.X.(*ssa.FieldAddr); ok && v.Op == token.MUL {
			if call := callBehind(fa.X); call != nil {
				return e.choice(call, fa.Field, f, depth) // policy.For(plan).CacheTTL
			}
			// A field of a local struct set once: ttl of c := base;
			// c.TTL = 30 * time.Second.
			if set := fieldSetOnce(fa.X, fa.Field); set != nil {
				return e.values(set, f, depth+1)
			}
			// A field set earlier in this function: r.ttl = 30 *
			// time.Second, then put(..., r.ttl).
			if stores := storesReaching(v); stores != nil {
				var out []constant.Value
				for _, st := range stores {
					out = e.addValues(out, st.Val, f, depth+1)
				}
				return out
			}
			// A field of a struct parameter kept in a variable.
			if stored := e.model.storedInto(fa.X); len(stored) == 1 {
				if p, ok := stored[0].(*ssa.Parameter); ok {
					return e.paramField(p, fieldName(fa.X.Type(), fa.Field), f, depth)
				}
			}
		}
		if fv, ok := v.X.(*ssa.FreeVar); ok && v.Op == token.MUL {
			// A variable a closure captures, set once by the function
			// that made it: a handler factory's ttl parameter.
			if alloc, ok := Binding(fv).(*ssa.Alloc); ok {
				if stores := storesTo(alloc); len(stores) == 1 {
					return e.values(stores[0].Val, f, depth+1)
				}
			}
		}
		if v.Op != token.SUB && v.Op != token.NOT {
			return nil
		}
		return mapValues(e.values(v.X, f, depth+1), func(c constant.Value) constant.Value { return constant.UnaryOp(v.Op, c, 0) })
	case *ssa.BinOp:
		xs := e.values(v.X, f, depth+1)
		ys := e.values(v.Y, f, depth+1)
		var out []constant.Value
		for _, x := range xs {
			for _, y := range ys {
				out = appendValue(out, binary(v, x, y))
			}
		}
		return out
	case *ssa.Phi:
		return e.phi(v, f, depth)
	case *ssa.Call:
		if to := e.model.PointedTo(v); to != nil {
			return e.values(to, f, depth+1)
		}
		if picked := e.model.pickedArgs(&v.Call); picked != nil {
			// pick.If(retry, 30*time.Second, time.Hour), units.Deref(p,
			// def): any of them, as a phi's ways in are.
			var out []constant.Value
			for _, a := range picked {
				vals := e.values(a, f, depth+1)
				if len(vals) == 0 {
					e.partial = true
				}
				for _, c := range vals {
					out = appendValue(out, c)
				}
			}
			return out
		}
		return e.call(v, f, depth)
	case *ssa.Alloc:
		// A pointer to a variable set once, read through it: &ttl.
		if to := e.model.PointedTo(v); to != nil {
			return e.values(to, f, depth+1)
		}
	case *ssa.Extract:
		// k, ttl := sessionEntry(id): one of the results of a function of
		// this package.
		if call, ok := v.Tuple.(*ssa.Call); ok {
			if CalleeName(call) == "time.ParseDuration" && v.Index == 0 {
				return mapValues(e.values(call.Call.Args[0], f, depth+1), parseDuration) // mustDuration("45s")
			}
			return e.returned(call, v.Index, f, depth)
		}
		if lookup, ok := v.Tuple.(*ssa.Lookup); ok && v.Index == 0 {
			return e.model.tableValue(lookup) // d, ok := config.TTLs["banner"]
		}
	case *ssa.Lookup:
		return e.model.tableValue(v) // config.TTLs["banner"]
	case *ssa.Field:
		x, xf := v.X, f
		if p, ok := x.(*ssa.Parameter); ok {
			// A method of the chosen struct: p.Prefix in func (p plan)
			// key(id string), called as m.plan(kindAccess).key(id).
			if arg, outer, bound := f.Bound(p); bound {
				x, xf = arg, outer
			}
		}
		if call := callBehind(x); call != nil {
			return e.choice(call, v.Field, xf, depth) // policy.For(plan).CacheTTL
		}
		if entries := RangedEntries(v); entries != nil {
			return e.entries(entries, f, depth)
		}
		if p, ok := v.X.(*ssa.Parameter); ok {
			return e.paramField(p, fieldName(p.Type(), v.Field), f, depth)
		}
		return nil
	case *ssa.FreeVar:
		// A value a closure captures from the function that made it.
		if bound := Binding(v); bound != nil {
			if _, variable := bound.(*ssa.Alloc); !variable {
				return e.values(bound, f, depth+1)
			}
		}
	}
	return nil
}

// choice returns the values of field i of what call returns, when its
// callee picks one of several literals (see choiceTerm). An argument
// known only at run time leaves every literal possible: the values do
// not depend on it, so it is not free.
func (e *evaluator) choice(call *ssa.Call, i int, f *Frame, depth int) []constant.Value {
	t := e.model.choiceOf(call.Call.StaticCallee(), i)
	if t == nil {
		return nil
	}
	free := len(e.free)
	vals := e.term(t, call.Call.Args, f, depth+1)
	e.free = e.free[:free]
	return vals
}

// callBehind returns the call that v is the result of: directly, as a
// value a closure captures, or as a variable set once to it and never
// changed in part.
func callBehind(v ssa.Value) *ssa.Call {
	for range maxDepth {
		switch x := v.(type) {
		case *ssa.Call:
			return x
		case *ssa.FreeVar:
			if v = Binding(x); v == nil {
				return nil
			}
		case *ssa.Alloc:
			stores := storesTo(x)
			if len(stores) != 1 || setInPart(x) {
				return nil
			}
			v = stores[0].Val
		case *ssa.UnOp:
			// A copy of a local variable: p := m.plan(kind); p.key(id).
			if _, local := x.X.(*ssa.Alloc); !local || x.Op != token.MUL {
				return nil
			}
			v = x.X
		default:
			return nil
		}
	}
	return nil
}

// setInPart reports whether a field of the struct at addr is stored to.
func setInPart(addr ssa.Value) bool {
	for _, ref := range *addr.Referrers() {
		if fa, ok := ref.(*ssa.FieldAddr); ok && len(storesTo(fa)) > 0 {
			return true
		}
	}
	return false
}

// entries returns the values of the entries of a table a loop walks
// (rt.cache of each route): any entry's.
func (e *evaluator) entries(stores []*ssa.Store, f *Frame, depth int) []constant.Value {
	var out []constant.Value
	for _, st := range stores {
		for _, c := range e.values(st.Val, f, depth+1) {
			out = appendValue(out, c)
		}
	}
	return out
}

// global returns the values of a package variable that only the package
// initializer sets, as "var cacheTTL = 30" is: in effect a constant.
// An exported variable may be set from anywhere, so it is unknown.
func (e *evaluator) global(g *ssa.Global, depth int) []constant.Value {
	if g.Object() == nil || g.Object().Exported() {
		return nil
	}
	var out []constant.Value
	for _, user := range e.model.users(g) {
		store, ok := user.(*ssa.Store)
		if load, isLoad := user.(*ssa.UnOp); isLoad && load.Op == token.MUL {
			continue
		}
		if !ok || store.Addr != g || store.Parent().Name() != "init" || store.Parent().Parent() != nil {
			return nil // set at run time, or its address taken
		}
		for _, c := range e.values(store.Val, nil, depth+1) {
			out = appendValue(out, c)
		}
	}
	return out
}

// paramField returns the values of field name of the struct parameter p,
// as the callers that f binds build it: rec.TTL of put(ctx, rec), set as
// TTL: cmd.Validity by a caller that was given cmd. A field set more
// than once (cmd.Validity = 45 * time.Second when in.Quick) has each
// value known, as a phi's ways in have.
func (e *evaluator) paramField(p *ssa.Parameter, name string, f *Frame, depth int) []constant.Value {
	srcs, in, unbound, known := e.model.fieldSourcesIn(p, name, f)
	if unbound != nil && !slices.Contains(e.free, unbound) {
		e.free = append(e.free, unbound)
	}
	if !known {
		return nil
	}
	var out []constant.Value
	for _, src := range srcs {
		if src.Value == nil || src.Block != nil && !e.reachable(src.Block, in, depth+1) {
			continue // set only on a path the caller's values rule out
		}
		out = e.addValues(out, src.Value, in, depth+1)
	}
	return out
}

// addValues adds the values of v to out, one way a value may come by; a
// way of no known value makes the whole partial.
func (e *evaluator) addValues(out []constant.Value, v ssa.Value, f *Frame, depth int) []constant.Value {
	got := e.values(v, f, depth)
	if len(got) == 0 {
		e.partial = true
	}
	for _, c := range got {
		out = appendValue(out, c)
	}
	return out
}

// elements returns the values of the elements at indexes of the package
// array g, when only its initializer sets them: lifetimes[KindMiss] of
// var lifetimes = [...]time.Duration{KindMiss: 30 * time.Second}.
func (e *evaluator) elements(g *ssa.Global, indexes []constant.Value, depth int) []constant.Value {
	if g.Object() == nil || g.Object().Exported() || len(indexes) == 0 {
		return nil
	}
	if _, isArray := g.Type().(*types.Pointer).Elem().Underlying().(*types.Array); !isArray {
		return nil
	}
	inInit := func(instr ssa.Instruction) bool {
		return instr.Parent().Name() == "init" && instr.Parent().Parent() == nil
	}
	// The addresses the elements are set through: g's own, and those of
	// the local array the initializer builds and copies into g.
	arrays := []ssa.Value{g}
	for _, user := range e.model.users(g) {
		if store, ok := user.(*ssa.Store); ok && store.Addr == g {
			load, isLoad := store.Val.(*ssa.UnOp)
			if !inInit(store) || !isLoad || load.Op != token.MUL {
				return nil // set at run time
			}
			arrays = append(arrays, load.X)
		}
	}
	var out []constant.Value
	for _, array := range arrays {
		for _, user := range e.model.users(array) {
			ia, ok := user.(*ssa.IndexAddr)
			if !ok {
				continue
			}
			for _, ref := range *ia.Referrers() {
				store, ok := ref.(*ssa.Store)
				if !ok || store.Addr != ia {
					continue
				}
				at, fixed := ia.Index.(*ssa.Const)
				if !fixed || !inInit(store) {
					return nil // set at run time
				}
				if slices.ContainsFunc(indexes, func(i constant.Value) bool { return constant.Compare(i, token.EQL, at.Value) }) {
					for _, c := range e.values(store.Val, nil, depth+1) {
						out = appendValue(out, c)
					}
				}
			}
		}
	}
	return out
}

// call folds d.Seconds() and its kin on a known duration, and min/max.
func (e *evaluator) call(call *ssa.Call, f *Frame, depth int) []constant.Value {
	args := call.Call.Args
	if b, ok := call.Call.Value.(*ssa.Builtin); ok && (b.Name() == "min" || b.Name() == "max") {
		var out []constant.Value
		for i, a := range args {
			vals := e.values(a, f, depth+1)
			if len(vals) != 1 {
				return nil
			}
			if i == 0 || constant.Compare(vals[0], token.LSS, out[0]) == (b.Name() == "min") {
				out = []constant.Value{vals[0]}
			}
		}
		return out
	}
	if CalleeName(call) == "cmp.Or" {
		if s, ok := args[0].(*ssa.Slice); ok { // (variadic: its elements)
			if elems, ok := literalParts(s); ok {
				return firstNonZero(len(elems), func(i int) []constant.Value { return e.values(elems[i], f, depth+1) })
			}
		}
		return nil
	}
	if round := roundings[CalleeName(call)]; round != nil && len(args) == 1 {
		return mapValues(e.values(args[0], f, depth+1), func(c constant.Value) constant.Value { return roundValue(c, round) })
	}
	if fold := stringFolds[CalleeName(call)]; fold != nil {
		return e.fold(fold, args, f, depth)
	}
	if join := joins[CalleeName(call)]; join != nil {
		// path.Join("stats", "portal", "last_open"), strings.Join of a
		// slice literal: a key of constant parts is a constant.
		parts, ok := literalParts(args[0])
		if !ok {
			return nil
		}
		return e.fold(func(c []constant.Value) constant.Value {
			var strs []string
			for _, v := range c {
				if v.Kind() != constant.String {
					return nil
				}
				strs = append(strs, constant.StringVal(v))
			}
			return join(strs)
		}, append(parts, args[1:]...), f, depth)
	}
	if vals := e.returned(call, 0, f, depth); vals != nil {
		return vals
	}
	if fns := e.model.StoredFuncs(&call.Call); fns != nil {
		// What any of the literals the field is set to returns.
		var out []constant.Value
		for _, fn := range fns {
			vals := e.results(fn, &Frame{Call: call, Fn: fn, Outer: f}, 0, depth)
			if vals == nil {
				return nil
			}
			for _, v := range vals {
				out = appendValue(out, v)
			}
		}
		return out
	}
	if m := e.boundMethod(call, f); m != nil {
		if m.Pkg == e.model.pkg {
			return e.results(m, &Frame{Call: call, Fn: m, Outer: f}, 0, depth)
		}
		if t := e.model.numberTerm(m); t != nil {
			return e.helperValue(t, m, args, call.Block(), f, depth+1)
		}
	}
	callee := call.Call.StaticCallee()
	if callee != nil {
		if t := e.model.numberTerm(callee); t != nil {
			return e.helperValue(t, callee, args, call.Block(), f, depth+1) // a number helper of another package
		}
	}
	if callee == nil || callee.Signature.Recv() == nil || len(args) != 1 || !IsDuration(args[0].Type()) {
		return nil
	}
	if _, ok := nsPerUnit[callee.Name()]; !ok {
		return nil
	}
	return mapValues(e.values(args[0], f, depth+1), func(d constant.Value) constant.Value { return durationIn(d, callee.Name()) })
}

// stringFolds compute the standard library's string functions on known
// arguments: path.Dir("manifest.txt") is ".", a key KV refuses.
var stringFolds = map[string]func(args []constant.Value) constant.Value{
	"path.Dir":           func(a []constant.Value) constant.Value { return mapString(a, path.Dir) },
	"path.Base":          func(a []constant.Value) constant.Value { return mapString(a, path.Base) },
	"path.Clean":         func(a []constant.Value) constant.Value { return mapString(a, path.Clean) },
	"strings.ToLower":    func(a []constant.Value) constant.Value { return mapString(a, strings.ToLower) },
	"strings.ToUpper":    func(a []constant.Value) constant.Value { return mapString(a, strings.ToUpper) },
	"strings.TrimSpace":  func(a []constant.Value) constant.Value { return mapString(a, strings.TrimSpace) },
	"strings.TrimPrefix": func(a []constant.Value) constant.Value { return mapString2(a, strings.TrimPrefix) },
	"strings.Trim":       func(a []constant.Value) constant.Value { return mapString2(a, strings.Trim) },
	"strings.TrimLeft":   func(a []constant.Value) constant.Value { return mapString2(a, strings.TrimLeft) },
	"strings.TrimRight":  func(a []constant.Value) constant.Value { return mapString2(a, strings.TrimRight) },
	"strings.TrimSuffix": func(a []constant.Value) constant.Value { return mapString2(a, strings.TrimSuffix) },
	"strings.Repeat": func(a []constant.Value) constant.Value {
		n, ok := constant.Int64Val(constant.ToInt(a[1]))
		if a[0].Kind() != constant.String || !ok || n < 0 || n > 1<<20 {
			return nil
		}
		return constant.MakeString(strings.Repeat(constant.StringVal(a[0]), int(n)))
	},
}

// joins join a slice of strings: path.Join's variadic parts, or
// strings.Join's, whose separator comes last.
var joins = map[string]func(parts []string) constant.Value{
	"path.Join": func(p []string) constant.Value { return constant.MakeString(path.Join(p...)) },
	"strings.Join": func(p []string) constant.Value {
		if len(p) == 0 {
			return nil
		}
		return constant.MakeString(strings.Join(p[:len(p)-1], p[len(p)-1]))
	},
}

// literalParts returns the elements of v, a slice of an array literal
// whose every element is stored once, in order.
func literalParts(v ssa.Value) ([]ssa.Value, bool) {
	sl, ok := v.(*ssa.Slice)
	if !ok {
		return nil, false
	}
	alloc, ok := sl.X.(*ssa.Alloc)
	if !ok {
		return nil, false
	}
	array, ok := alloc.Type().(*types.Pointer).Elem().Underlying().(*types.Array)
	if !ok {
		return nil, false
	}
	parts := make([]ssa.Value, array.Len())
	for _, ref := range *alloc.Referrers() {
		ia, ok := ref.(*ssa.IndexAddr)
		if !ok {
			continue
		}
		k, ok := ia.Index.(*ssa.Const)
		if !ok {
			return nil, false
		}
		i, ok := constant.Int64Val(k.Value)
		if !ok || i < 0 || i >= int64(len(parts)) {
			return nil, false
		}
		for _, st := range storesTo(ia) {
			if parts[i] != nil {
				return nil, false
			}
			parts[i] = st.Val
		}
	}
	if slices.Contains(parts, nil) {
		return nil, false
	}
	return parts, true
}

func mapString(a []constant.Value, fn func(string) string) constant.Value {
	if len(a) != 1 || a[0].Kind() != constant.String {
		return nil
	}
	return constant.MakeString(fn(constant.StringVal(a[0])))
}

func mapString2(a []constant.Value, fn func(string, string) string) constant.Value {
	if len(a) != 2 || a[0].Kind() != constant.String || a[1].Kind() != constant.String {
		return nil
	}
	return constant.MakeString(fn(constant.StringVal(a[0]), constant.StringVal(a[1])))
}

// fold applies fn to every combination of its arguments' known values;
// any argument not known makes the call not known.
func (e *evaluator) fold(fn func([]constant.Value) constant.Value, args []ssa.Value, f *Frame, depth int) []constant.Value {
	return foldEach(fn, len(args), func(i int) []constant.Value { return e.values(args[i], f, depth+1) })
}

// parseDuration is time.ParseDuration of a constant string, as a
// constant number of nanoseconds; nil when it does not parse.
func parseDuration(c constant.Value) constant.Value {
	if c.Kind() != constant.String {
		return nil
	}
	d, err := time.ParseDuration(constant.StringVal(c))
	if err != nil {
		return nil
	}
	return constant.MakeInt64(int64(d))
}

// firstNonZero is what cmp.Or returns, given the values of each of its n
// arguments: the first that is not zero. An argument not known leaves the
// result unknown.
func firstNonZero(n int, arg func(i int) []constant.Value) []constant.Value {
	var out []constant.Value
	for i := range n {
		vals := arg(i)
		if len(vals) == 0 {
			return nil
		}
		zero := false
		for _, v := range vals {
			if zeroValue(v) {
				zero = true
			} else {
				out = appendValue(out, v)
			}
		}
		if !zero {
			return out
		}
	}
	return out
}

func zeroValue(v constant.Value) bool {
	switch v.Kind() {
	case constant.String:
		return constant.StringVal(v) == ""
	case constant.Bool:
		return !constant.BoolVal(v)
	case constant.Int, constant.Float:
		return constant.Sign(v) == 0
	}
	return false
}

// foldEach applies fn to each combination of the values of its n
// arguments, which arg gives.
func foldEach(fn func([]constant.Value) constant.Value, n int, arg func(i int) []constant.Value) []constant.Value {
	combos := [][]constant.Value{nil}
	for i := range n {
		vals := arg(i)
		if len(vals) == 0 {
			return nil
		}
		var next [][]constant.Value
		for _, c := range combos {
			for _, v := range vals {
				next = append(next, append(slices.Clone(c), v))
			}
		}
		combos = next
	}
	var out []constant.Value
	for _, c := range combos {
		v := fn(c)
		if v == nil {
			return nil
		}
		out = appendValue(out, v)
	}
	return out
}

// returned is what a helper of this package returns, from each return
// that the call's arguments can reach: holdTTL(plan) is 15 minutes for
// PlanPro and 30 seconds otherwise. A return not known makes the call not
// known: envInt(name, 300) may return what the environment says.
func (e *evaluator) returned(call *ssa.Call, result int, f *Frame, depth int) []constant.Value {
	callee := origin(call.Call.StaticCallee()) // If[time.Duration] runs the body of If
	if callee == nil || callee.Pkg != e.model.pkg {
		return nil
	}
	return e.results(callee, &Frame{Call: call, Fn: callee, Outer: f}, result, depth)
}

// results is what fn, a function of this package, returns as its
// result'th result in frame inner, from each return that can run.
func (e *evaluator) results(fn *ssa.Function, inner *Frame, result int, depth int) []constant.Value {
	if fn.Blocks == nil || result >= fn.Signature.Results().Len() {
		return nil
	}
	var out []constant.Value
	for _, b := range fn.Blocks {
		ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
		if !ok || !e.reachable(b, inner, depth) {
			continue
		}
		vals := e.values(ret.Results[result], inner, depth+1)
		if len(vals) == 0 {
			return nil
		}
		for _, c := range vals {
			out = appendValue(out, c)
		}
	}
	return out
}

// boundMethod returns the method that call, v.TTL() on a parameter v of
// an interface or a type parameter's type, runs in frame f: that of the
// value the frame's caller passes (Save(ctx, st, Hold{ID: id})).
// Where f does not bind the parameter, it is free: binding it through
// the function's callers may make the method known.
func (e *evaluator) boundMethod(call *ssa.Call, f *Frame) *ssa.Function {
	p, ok := call.Call.Value.(*ssa.Parameter)
	if !ok || !call.Call.IsInvoke() {
		return nil
	}
	arg, _, ok := f.Bound(p)
	if !ok {
		if !slices.Contains(e.free, p) {
			e.free = append(e.free, p)
		}
		return nil
	}
	if mi, ok := arg.(*ssa.MakeInterface); ok {
		arg = mi.X
	}
	if types.IsInterface(arg.Type()) {
		return nil
	}
	prog := e.model.pkg.Prog
	sel := prog.MethodSets.MethodSet(arg.Type()).Lookup(call.Call.Method.Pkg(), call.Call.Method.Name())
	if sel == nil {
		return nil
	}
	return prog.MethodValue(sel)
}

// recordMethod is what the method name of recv returns, where a wrapper
// elsewhere asks the record it is given: Save(ctx, st, entry{l}) with
// v.TTL() inside Save is entry.TTL() for this entry.
func (e *evaluator) recordMethod(recv ssa.Value, name string, f *Frame, depth int) []constant.Value {
	m, recv, f := e.model.recordMethodOf(recv, name, f)
	switch {
	case m == nil:
		return nil
	case m.Pkg == e.model.pkg && m.Blocks != nil:
		return e.results(m, &Frame{Fn: m, Recv: recv, Outer: f}, 0, depth+1)
	}
	if t := e.model.numberTerm(m); t != nil {
		return e.term(t, []ssa.Value{recv}, f, depth+1)
	}
	return nil
}

// given follows v through its conversions to interfaces and the
// parameters that frame f binds, to the value a caller gave, in the frame
// to evaluate it in; ok is false when it stops at a parameter f does not
// bind.
func given(v ssa.Value, f *Frame) (_ ssa.Value, _ *Frame, ok bool) {
	for range maxDepth {
		v = retyped(v)
		p, isParam := v.(*ssa.Parameter)
		if !isParam {
			break
		}
		arg, outer, bound := f.Bound(p)
		if !bound {
			return v, f, false
		}
		v, f = arg, outer
	}
	return v, f, true
}

// recordMethodOf returns the method name of the value recv is in frame f,
// when its concrete type is known there, with that value and the frame
// to evaluate it in.
func (r *Result) recordMethodOf(recv ssa.Value, name string, f *Frame) (*ssa.Function, ssa.Value, *Frame) {
	recv, f, ok := given(recv, f)
	if !ok {
		return nil, nil, nil
	}
	return r.methodNamed(recv.Type(), name), recv, f
}

// methodNamed returns the method name of the concrete type t, nil for an
// interface.
func (r *Result) methodNamed(t types.Type, name string) *ssa.Function {
	if types.IsInterface(t) {
		return nil
	}
	prog := r.pkg.Prog
	sel := prog.MethodSets.MethodSet(t).Lookup(r.pkg.Pkg, name)
	if sel == nil {
		return nil
	}
	m := prog.MethodValue(sel)
	if declared := prog.FuncValue(sel.Obj().(*types.Func)); m.Synthetic != "" && declared != nil {
		m = declared // (*badge).TTL, the wrapper of badge.TTL
	}
	return m
}

// implements reports whether the value v is in frame f has every method
// named, when its concrete type is known there.
func (r *Result) implements(v ssa.Value, names []string, f *Frame) (has, known bool) {
	v, _, _ = given(v, f) // (a parameter not bound: its own type may say)
	if types.IsInterface(v.Type()) {
		return false, false
	}
	mset := r.pkg.Prog.MethodSets.MethodSet(v.Type())
	for _, name := range names {
		found := false
		for i := range mset.Len() {
			if mset.At(i).Obj().Name() == name {
				found = true
				break
			}
		}
		if !found {
			return false, true
		}
	}
	return true, true
}

// decideImplements returns t with each test of what a parameter
// implements decided where the argument passed for it, in args, has a
// known concrete type: a caller's Term then keeps only the branch its
// value takes.
func (r *Result) decideImplements(t *Term, args []ssa.Value) *Term {
	if !t.tests(TermImplements, make(map[*Term]bool)) {
		return t
	}
	return t.rewrite(func(s *Term) *Term {
		if p := s.Args; s.Op == TermImplements && p[0].Op == TermParam && p[0].Index < len(args) {
			if has, known := r.implements(args[p[0].Index], strings.Split(s.Name, ","), nil); known {
				return &Term{Op: TermConst, Value: strconv.FormatBool(has), Kind: constant.Bool}
			}
		}
		return nil
	})
}

// typeMethods records, in each method Term asked of a parameter that args
// gives as a value of a concrete type, the method that type has when
// nothing here computes its result: key.String() of st.Get(key) given
// keys.Key(...) is (keys.Key).String, as the identity of a key given
// that way at another call is written (see identityWriter.method).
func (r *Result) typeMethods(t *Term, args []ssa.Value) *Term {
	return t.rewrite(func(s *Term) *Term {
		if s.Value != "" || len(s.Args) != 1 {
			return nil
		}
		fn := r.askedMethod(s, args)
		if fn == nil || r.returnTerm(fn) != nil {
			return nil
		}
		typed := *s
		typed.Value = fn.String()
		return &typed
	})
}

// tests reports whether op is in t, in its arguments or its conditions.
func (t *Term) tests(op TermOp, seen map[*Term]bool) bool {
	if t.Op == op {
		return true
	}
	if seen[t] {
		return false
	}
	seen[t] = true
	for _, a := range t.Args {
		if a.tests(op, seen) {
			return true
		}
	}
	for _, conds := range t.Conds {
		for _, cd := range conds {
			if cd.Term.tests(op, seen) {
				return true
			}
		}
	}
	return false
}

// RecordReturn returns, for an operand that src's wrapper asks its record
// for (v.TTL() or v.Key() in Save[T Record]), where the record's method
// gives c in frame f: in the method, or in the function of this package
// it returns (p.Tier.TTL()). A lifetime is c seconds, compared with a
// time.Duration in its own unit. NoPos when no return, or more than one,
// gives it.
func (r *Result) RecordReturn(src Source, f *Frame, c constant.Value) token.Pos {
	rec, name := src.askedRecord()
	if rec == nil {
		return token.NoPos
	}
	m, _, _ := r.recordMethodOf(rec, name, f)
	if m == nil {
		return token.NoPos
	}
	return r.returnOf(m, c, 0)
}

// returnOf returns the one return of fn, or of a function of this
// package that it returns the result of, that gives c.
func (r *Result) returnOf(fn *ssa.Function, c constant.Value, depth int) token.Pos {
	results := fn.Signature.Results()
	if results.Len() != 1 || depth > 3 {
		return token.NoPos
	}
	want := c // in this function's unit; c stays in seconds for the functions it returns
	if IsDuration(results.At(0).Type()) {
		want = constant.BinaryOp(constant.ToFloat(c), token.MUL, constant.MakeFloat64(1e9))
	}
	if fn.Pkg != r.pkg {
		obj, ok := fn.Object().(*types.Func)
		if !ok {
			return token.NoPos
		}
		return r.ReturnOf(obj, want)
	}
	found := token.NoPos
	for _, b := range fn.Blocks {
		ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
		if !ok || len(ret.Results) != 1 {
			continue
		}
		pos := token.NoPos
		switch x := ret.Results[0].(type) {
		case *ssa.Const:
			if x.Value != nil && sameConstant(x.Value, want) {
				pos = ret.Pos()
			}
		case *ssa.Call:
			if callee := x.Call.StaticCallee(); callee != nil {
				pos = r.returnOf(callee, c, depth+1)
			}
		}
		if pos.IsValid() {
			if found.IsValid() {
				return token.NoPos // two returns give it: say so at the call
			}
			found = pos
		}
	}
	return found
}

// sameConstant reports whether a and b are the same string, or the same
// number whatever its kind.
func sameConstant(a, b constant.Value) bool {
	if a.Kind() == constant.String || b.Kind() == constant.String {
		return a.Kind() == b.Kind() && constant.StringVal(a) == constant.StringVal(b)
	}
	return constant.Compare(constant.ToFloat(a), token.EQL, constant.ToFloat(b))
}

var nsPerUnit = map[string]float64{"Hours": 3600e9, "Minutes": 60e9, "Seconds": 1e9,
	"Milliseconds": 1e6, "Microseconds": 1e3, "Nanoseconds": 1}

// durationIn is d.Seconds(), d.Milliseconds(), ... for the method named unit.
func durationIn(d constant.Value, unit string) constant.Value {
	perUnit, ok := nsPerUnit[unit]
	if !ok {
		return nil
	}
	ns, _ := constant.Float64Val(d)
	if perUnit >= 1e9 {
		return constant.MakeFloat64(ns / perUnit) // Hours, Minutes, Seconds return float64
	}
	return constant.MakeInt64(int64(ns) / int64(perUnit))
}

// edgeTaken reports whether the i'th way into block b can be taken in f.
func (e *evaluator) edgeTaken(b *ssa.BasicBlock, i int, f *Frame, depth int) bool {
	pred := b.Preds[i]
	return e.branchAllows(pred, b, f, depth) && e.reachable(pred, f, depth)
}

// reachable walks up from b while each block has a single predecessor,
// checking every branch on the way.
func (e *evaluator) reachable(b *ssa.BasicBlock, f *Frame, depth int) bool {
	for steps := 0; len(b.Preds) == 1 && steps < 32; steps++ {
		parent := b.Preds[0]
		if !e.branchAllows(parent, b, f, depth) {
			return false
		}
		b = parent
	}
	return true
}

// branchAllows reports whether control can pass from parent to child:
// false only when parent ends in an if whose condition is known and sends
// control elsewhere.
func (e *evaluator) branchAllows(parent, child *ssa.BasicBlock, f *Frame, depth int) bool {
	br, ok := parent.Instrs[len(parent.Instrs)-1].(*ssa.If)
	if !ok || depth > maxDepth {
		return true
	}
	// Only a condition known on every way counts: isNotFound(err), whose
	// errors.As(...) && ... is false on one way and not known on the
	// other, may be either.
	cond := &evaluator{model: e.model, fixed: e.fixed, steer: e.steer}
	conds := cond.values(br.Cond, f, depth+1)
	if len(conds) == 0 && !cond.partial {
		if known, ok := guardDecides(br.Cond, f); ok {
			conds, cond.free = []constant.Value{constant.MakeBool(known)}, nil
		}
	}
	if cond.partial || len(conds) != 1 || conds[0].Kind() != constant.Bool {
		if e.unpicked && len(cond.free) > 0 && isEquality(br.Cond) {
			return false // a case of a switch on what the caller gives
		}
		if e.steer != nil {
			for _, p := range cond.free {
				if !slices.Contains(*e.steer, p) {
					*e.steer = append(*e.steer, p)
				}
			}
		}
		return true
	}
	taken := parent.Succs[1]
	if constant.BoolVal(conds[0]) {
		taken = parent.Succs[0]
	}
	return taken == child
}

// isEquality reports whether v tests a parameter for equality with a
// constant number or string: a case of a switch on a kind given.
func isEquality(v ssa.Value) bool {
	b, ok := v.(*ssa.BinOp)
	if !ok || b.Op != token.EQL && b.Op != token.NEQ {
		return false
	}
	for _, pair := range [][2]ssa.Value{{b.X, b.Y}, {b.Y, b.X}} {
		_, param := pair[0].(*ssa.Parameter)
		c, isConst := pair[1].(*ssa.Const)
		if param && isConst && c.Value != nil && (c.Value.Kind() == constant.Int || c.Value.Kind() == constant.String) {
			return true
		}
	}
	return false
}

func binary(v *ssa.BinOp, x, y constant.Value) constant.Value {
	if v.Op == token.QUO && isInteger(v.Type()) {
		return binaryTok(token.QUO_ASSIGN, x, y)
	}
	return binaryTok(v.Op, x, y)
}

// binaryTok applies op; token.QUO_ASSIGN stands for integer division.
func binaryTok(op token.Token, x, y constant.Value) constant.Value {
	switch op {
	case token.ADD, token.SUB, token.MUL:
		return constant.BinaryOp(x, op, y)
	case token.QUO, token.QUO_ASSIGN:
		if constant.Sign(y) == 0 {
			return nil
		}
		if op == token.QUO_ASSIGN {
			x, y = constant.ToInt(x), constant.ToInt(y)
		}
		return constant.BinaryOp(x, op, y)
	case token.EQL, token.NEQ, token.LSS, token.LEQ, token.GTR, token.GEQ:
		return constant.MakeBool(constant.Compare(x, op, y))
	}
	return nil
}

func mapValues(vals []constant.Value, fn func(constant.Value) constant.Value) []constant.Value {
	var out []constant.Value
	for _, v := range vals {
		out = appendValue(out, fn(v))
	}
	return out
}

// appendValue adds c to the set vals, ignoring unknowns and overflow.
func appendValue(vals []constant.Value, c constant.Value) []constant.Value {
	if c == nil || c.Kind() == constant.Unknown || len(vals) >= maxValues {
		return vals
	}
	for _, v := range vals {
		if v.Kind() == c.Kind() && constant.Compare(v, token.EQL, c) {
			return vals
		}
	}
	return append(vals, c)
}

// convert applies a Go conversion to a constant: float to integer
// truncates, as at run time.
func convert(c constant.Value, t types.Type) constant.Value {
	switch {
	case isInteger(t):
		if c.Kind() == constant.Float {
			f, _ := constant.Float64Val(c)
			return constant.MakeInt64(int64(f))
		}
		return constant.ToInt(c)
	case isFloat(t):
		return constant.ToFloat(c)
	}
	return c
}

// IsDuration reports whether t is time.Duration.
func IsDuration(t types.Type) bool {
	named, ok := types.Unalias(t).(*types.Named)
	return ok && named.Obj().Pkg() != nil && named.Obj().Pkg().Path() == "time" && named.Obj().Name() == "Duration"
}

// CountsNanoseconds reports whether t is time.Duration, or a duration type
// of a configuration library's defined from it for its text form (type
// Duration time.Duration, as caddy.Duration is): an integer type named
// Duration, whose values are nanoseconds.
func CountsNanoseconds(t types.Type) bool {
	if IsDuration(t) {
		return true
	}
	named, ok := types.Unalias(t).(*types.Named)
	if !ok || named.Obj().Name() != "Duration" {
		return false
	}
	basic, ok := named.Underlying().(*types.Basic)
	return ok && basic.Kind() == types.Int64
}

// IsTime reports whether t is time.Time.
func IsTime(t types.Type) bool {
	named, ok := types.Unalias(t).(*types.Named)
	return ok && named.Obj().Pkg() != nil && named.Obj().Pkg().Path() == "time" && named.Obj().Name() == "Time"
}

func isInteger(t types.Type) bool {
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Info()&types.IsInteger != 0
}

func isFloat(t types.Type) bool {
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Info()&types.IsFloat != 0
}

// EvalSource evaluates an operand's source in frame f, whether it is a
// value of this package or a Term from a wrapper elsewhere.
func (r *Result) EvalSource(src Source, f *Frame) ([]constant.Value, []*ssa.Parameter) {
	e := &evaluator{model: r}
	return e.source(src, f), e.free
}

// StoredOperandValues returns the operand's values for the value stored
// as the storing function computes it, the tests on the way to the store
// included (Retention(st) after "if st.Terminal() { return }"), which the
// Term of the stored value cannot carry for a local; ok is false when the
// value is not known wholly.
func (r *Result) StoredOperandValues(so StoredOperand) (vals []constant.Value, ok bool) {
	if so.stored == nil || so.Template == nil {
		return nil, false
	}
	e := &evaluator{model: r}
	stored := e.values(so.stored, nil, 0)
	if len(stored) == 0 || e.partial || e.gaps {
		return nil, false
	}
	for _, c := range stored {
		t := so.Template.rewrite(func(s *Term) *Term {
			if s.Op == TermParam && s.Index == fieldSlot {
				return &Term{Op: TermConst, Kind: c.Kind(), Value: c.ExactString()}
			}
			return nil
		})
		got := (&evaluator{model: r}).term(t, nil, nil, 0)
		if len(got) != 1 {
			return nil, false
		}
		vals = appendValue(vals, got[0])
	}
	return vals, true
}

// EvalUnpicked is EvalSource without the values of a policy that a
// caller picks by what it passes: those are the caller's to report.
func (r *Result) EvalUnpicked(src Source, f *Frame) []constant.Value {
	e := &evaluator{model: r, unpicked: true}
	return e.source(src, f)
}

// EvalSteered is EvalSource with, among the parameters, also those that
// only decide which of the values found the operand takes: a caller that
// passes one of them picks among the values.
func (r *Result) EvalSteered(src Source, f *Frame) ([]constant.Value, []*ssa.Parameter) {
	var steer []*ssa.Parameter
	e := &evaluator{model: r, steer: &steer}
	vals := e.source(src, f)
	free := e.free
	for _, p := range steer {
		if !slices.Contains(free, p) {
			free = append(free, p)
		}
	}
	return vals, free
}

// source evaluates src in f: its value, or its Term bound to its
// arguments, each argument with several values taken one value at a time.
func (e *evaluator) source(src Source, f *Frame) []constant.Value {
	if src.Term == nil {
		return e.values(src.Value, f, 0)
	}
	if src.Args == nil && src.Block != nil {
		// A value stored in a field, its Term over the parameters of the
		// function that stores it: those are not bound, but the branches
		// taken before the store still rule values out.
		e.storedIn, e.argsAt = outermost(src.Block.Parent()), src.Block
	}
	var vals []constant.Value
	for _, args := range e.splitArgs(src.Term, src.Args, f) {
		for _, c := range e.term(src.Term, args, f, 0) {
			vals = appendValue(vals, c)
		}
	}
	return vals
}

// EvalPerInstance is EvalSource for an operation through a storage port,
// with what the implementation keeps in its own receiver taken as fixed
// for the store and left out: c.prefix + "meta:last-call" is one key on
// every call of one store, as "meta:last-call" is.
func (r *Result) EvalPerInstance(op *Op, src Source) []constant.Value {
	if src.Term == nil || !op.Call.Common().IsInvoke() {
		return nil
	}
	src.Term = src.Term.rewrite(func(t *Term) *Term {
		if t.Op == TermField && len(t.Args) == 1 && t.Args[0].Op == TermParam && t.Args[0].Index == 0 {
			return &Term{Op: TermConst, Kind: constant.String, Value: `""`}
		}
		return nil
	})
	vals, free := r.EvalSource(src, nil)
	if len(free) > 0 {
		return nil
	}
	return vals
}

// splitArgs returns args once for each combination of the values that the
// arguments t uses may take, each such argument replaced by a constant,
// so that a clamp inside the wrapper sees the one value it clamps: with
// ttl either 15m or 30s, "if ttl < time.Minute" holds for one, not both.
// The parameters that steer the values split are recorded in e.
func (e *evaluator) splitArgs(t *Term, args []ssa.Value, f *Frame) [][]ssa.Value {
	out := [][]ssa.Value{args}
	for _, p := range t.appendParams(nil) {
		if p.Index >= len(args) {
			continue
		}
		probe := &evaluator{model: e.model, steer: e.steer}
		vals := probe.values(args[p.Index], f, 0)
		if e.steer != nil && len(vals) > 1 {
			for _, q := range probe.free {
				if !slices.Contains(*e.steer, q) {
					*e.steer = append(*e.steer, q)
				}
			}
		}
		if len(vals) < 2 || len(out)*len(vals) > maxValues {
			continue
		}
		var next [][]ssa.Value
		for _, a := range out {
			for _, v := range vals {
				b := slices.Clone(a)
				b[p.Index] = ssa.NewConst(v, args[p.Index].Type())
				next = append(next, b)
			}
		}
		out = next
	}
	return out
}

// helperValue is what fn, a helper of another package whose Term is t,
// returns for args, given in block at. A predicate's value is known only
// when every way it can take is: p.Limit > 0 && p.Window > 0 with the
// fields unknown is not false.
func (e *evaluator) helperValue(t *Term, fn *ssa.Function, args []ssa.Value, at *ssa.BasicBlock, f *Frame, depth int) []constant.Value {
	if !predicate(fn.Signature) {
		return e.termAt(t, args, at, f, depth)
	}
	saved := e.gaps
	e.gaps = false
	vals := e.termAt(t, args, at, f, depth)
	gap := e.gaps
	e.gaps = saved || gap
	if gap {
		return nil
	}
	return vals
}

// termAt is term for a call in block at.
func (e *evaluator) termAt(t *Term, args []ssa.Value, at *ssa.BasicBlock, f *Frame, depth int) []constant.Value {
	saved := e.argsAt
	e.argsAt = at
	defer func() { e.argsAt = saved }()
	return e.term(t, args, f, depth)
}

// term evaluates a wrapper's Term, its parameters bound to args in f.
func (e *evaluator) term(t *Term, args []ssa.Value, f *Frame, depth int) []constant.Value {
	if depth > maxDepth {
		return nil
	}
	sub := func(i int) []constant.Value { return e.term(t.Args[i], args, f, depth) } // a finite tree (see termBound)
	if len(e.fixedTerms) > 0 {
		if c, ok := e.fixedTerms[t.String()]; ok {
			return []constant.Value{c}
		}
	}
	switch t.Op {
	case TermParam:
		if t.Index < len(args) {
			return e.values(args[t.Index], f, depth+1)
		}
	case TermField:
		if len(t.Args) == 1 && t.Args[0].Op == TermParam && t.Args[0].Index < len(args) {
			srcs, in, unbound, _ := e.model.fieldSourcesIn(args[t.Args[0].Index], t.Name, f)
			if unbound != nil && !slices.Contains(e.free, unbound) {
				e.free = append(e.free, unbound) // its callers say what it is
			}
			var out []constant.Value
			for _, src := range srcs {
				var vals []constant.Value
				switch {
				case src.Value != nil:
					vals = e.values(src.Value, in, depth+1)
				case src.Term != nil:
					vals = e.term(src.Term, src.Args, in, depth+1) // set by a builder of another package: ops.Get(key)'s Kind
				}
				for _, c := range vals {
					out = appendValue(out, c)
				}
			}
			return out
		}
	case TermConst:
		if t.Kind == constant.Bool { // (no literal token to parse it with)
			return []constant.Value{constant.MakeBool(t.Value == "true")}
		}
		if c := constant.MakeFromLiteral(t.Value, literalToken(t.Kind), 0); c.Kind() != constant.Unknown {
			return []constant.Value{c}
		}
	case TermConvert:
		return mapValues(sub(0), func(c constant.Value) constant.Value { return convertClass(c, t.Name) })
	case TermUnOp:
		return mapValues(sub(0), func(c constant.Value) constant.Value { return constant.UnaryOp(t.Tok, c, 0) })
	case TermBinOp:
		var out []constant.Value
		for _, x := range sub(0) {
			for _, y := range sub(1) {
				op := t.Tok
				if op == token.QUO && t.Name == "int" {
					op = token.QUO_ASSIGN
				}
				out = appendValue(out, binaryTok(op, x, y))
			}
		}
		return out
	case TermPhi:
		return e.termPhi(t, args, f, depth)
	case TermImplements:
		if p := t.Args[0]; p.Op == TermParam && p.Index < len(args) {
			if has, known := e.model.implements(args[p.Index], strings.Split(t.Name, ","), f); known {
				return []constant.Value{constant.MakeBool(has)}
			}
		}
	case TermCall:
		if name, ok := strings.CutPrefix(t.Name, keyMethodPrefix); ok && len(t.Args) == 1 && t.Args[0].Op == TermParam && t.Args[0].Index < len(args) {
			return e.recordMethod(args[t.Args[0].Index], name, f, depth)
		}
		if t.Name == "min" || t.Name == "max" {
			// min(max(limit, 10), 1000) in an adapter: one value per
			// argument, or none known.
			var out constant.Value
			for i := range t.Args {
				vals := sub(i)
				if len(vals) != 1 || vals[0].Kind() != constant.Int && vals[0].Kind() != constant.Float {
					return nil
				}
				if out == nil || constant.Compare(vals[0], token.LSS, out) == (t.Name == "min") {
					out = vals[0]
				}
			}
			if out == nil {
				return nil
			}
			return []constant.Value{out}
		}
		if fold := stringFolds[t.Name]; fold != nil {
			return foldEach(fold, len(t.Args), sub) // strings.ToLower(plan) == "trial"
		}
		if t.Name == "cmp.Or" {
			return firstNonZero(len(t.Args), sub) // cmp.Or(o.Limit, 1000)
		}
		if t.Name == "time.ParseDuration" && len(t.Args) == 1 {
			return mapValues(sub(0), parseDuration) // timing.MustDuration("45s")
		}
		if round := roundings[t.Name]; round != nil && len(t.Args) == 1 {
			return mapValues(sub(0), func(c constant.Value) constant.Value { return roundValue(c, round) })
		}
		if escape := escapeFuncs[t.Name]; escape != nil && len(t.Args) == 1 {
			// A key escaped on its way to the REST API: KV stores it as it
			// was, and measures it so (url.PathEscape(".") is still ".").
			return sub(0)
		}
		if len(t.Args) == 1 && strings.HasPrefix(t.Name, "(time.Duration).") {
			return mapValues(sub(0), func(d constant.Value) constant.Value {
				return durationIn(d, strings.TrimPrefix(t.Name, "(time.Duration)."))
			})
		}
	}
	return nil
}

// escapeFuncs compute the calls that keep a key what it is, for Found and
// for keys checked: the same key given, the same key sent.
var escapeFuncs = map[string]func(string) string{"net/url.PathEscape": url.PathEscape, "net/url.QueryEscape": url.QueryEscape}

// EscapedKey returns the key that call, url.PathEscape(key) as written,
// escapes for a URL: KV stores it unescaped, the same key.
func EscapedKey(info *types.Info, call *ast.CallExpr) (ast.Expr, bool) {
	fn, ok := typeutil.Callee(info, call).(*types.Func)
	if !ok || len(call.Args) != 1 || escapeFuncs[fn.FullName()] == nil {
		return nil, false
	}
	return call.Args[0], true
}

// FormatsKey reports whether call, as written, computes a key from its
// arguments alone, as fmt.Sprintf and strings.Join do (see pureFuncs):
// its constant arguments are the key's own text.
func FormatsKey(info *types.Info, call *ast.CallExpr) bool {
	fn, ok := typeutil.Callee(info, call).(*types.Func)
	return ok && pureFuncs[fn.FullName()]
}

// phi returns the values of the ways into v that can be taken. A way
// whose own value decides the branch to it, as in a clamp (if ttl <
// time.Minute { ttl = time.Minute }), gives only the values that take it.
func (e *evaluator) phi(v *ssa.Phi, f *Frame, depth int) []constant.Value {
	var out []constant.Value
	for i, edge := range v.Edges {
		if !e.edgeTaken(v.Block(), i, f, depth) {
			continue
		}
		vals := e.values(edge, f, depth+1)
		if len(vals) == 0 {
			e.partial = true
		}
		if len(vals) > 0 && TestsValue(v.Block().Preds[i], edge) {
			vals = slices.DeleteFunc(vals, func(c constant.Value) bool {
				one := &evaluator{model: e.model, fixed: maps.Clone(e.fixed), steer: e.steer}
				if one.fixed == nil {
					one.fixed = make(map[ssa.Value]constant.Value)
				}
				one.fixed[edge] = c
				return !one.edgeTaken(v.Block(), i, f, depth)
			})
		}
		for _, c := range vals {
			out = appendValue(out, c)
		}
	}
	return out
}

// TestsValue reports whether b ends in a branch on a comparison of v.
func TestsValue(b *ssa.BasicBlock, v ssa.Value) bool {
	br, ok := b.Instrs[len(b.Instrs)-1].(*ssa.If)
	if !ok {
		return false
	}
	bin, ok := br.Cond.(*ssa.BinOp)
	return ok && (bin.X == v || bin.Y == v)
}

// termPhi returns the values of the ways into the phi t whose branches
// can be taken. As in phi, a way whose own value decides the branch to
// it gives only the values that take it: the ttl of "if ttl <
// time.Minute { ttl = time.Minute }", 15 s or 15 min, passes on 15 min.
func (e *evaluator) termPhi(t *Term, args []ssa.Value, f *Frame, depth int) []constant.Value {
	var out []constant.Value
	for i, way := range t.Args {
		if !e.condsHold(t.Conds[i], args, f, depth) || e.unpicked && e.pickedByCaller(t.Conds[i], args, f, depth) {
			continue
		}
		vals := e.term(way, args, f, depth)
		if len(vals) == 0 {
			e.gaps = true
		}
		if len(vals) > 1 && len(t.Conds[i]) > 0 {
			key := way.String()
			vals = slices.DeleteFunc(vals, func(c constant.Value) bool {
				one := &evaluator{model: e.model, fixed: e.fixed, fixedTerms: maps.Clone(e.fixedTerms), steer: e.steer}
				if one.fixedTerms == nil {
					one.fixedTerms = make(map[string]constant.Value)
				}
				one.fixedTerms[key] = c
				return !one.condsHold(t.Conds[i], args, f, depth)
			})
		}
		for _, c := range vals {
			out = appendValue(out, c)
		}
	}
	return out
}

// pickedByCaller reports whether conds test a parameter that is not
// bound here for equality, undecided: the way of a switch on the kind a
// wrapper is given (k.TTL() of PutFor(k, name, value)), which its caller
// picks.
func (e *evaluator) pickedByCaller(conds []Cond, args []ssa.Value, f *Frame, depth int) bool {
	for _, c := range conds {
		if !paramEqualsConst(c.Term) {
			continue
		}
		unbound := slices.ContainsFunc(c.Term.appendParams(nil), func(p *Term) bool {
			if p.Index >= len(args) {
				return true
			}
			_, isParam := args[p.Index].(*ssa.Parameter)
			return isParam
		})
		if unbound && len(e.term(c.Term, args, f, depth+1)) != 1 {
			return true
		}
	}
	return false
}

// paramEqualsConst reports whether t tests a parameter for equality with
// a constant number or string, as isEquality.
func paramEqualsConst(t *Term) bool {
	if t.Op != TermBinOp || t.Tok != token.EQL && t.Tok != token.NEQ || len(t.Args) != 2 {
		return false
	}
	x, y := t.Args[0], t.Args[1]
	known := func(c *Term) bool { return c.Op == TermConst && (c.Kind == constant.Int || c.Kind == constant.String) }
	return x.Op == TermParam && known(y) || y.Op == TermParam && known(x)
}

// condsHold reports whether no condition is known to fail.
func (e *evaluator) condsHold(conds []Cond, args []ssa.Value, f *Frame, depth int) bool {
	for _, c := range conds {
		vals := e.term(c.Term, args, f, depth+1)
		if len(vals) == 1 && vals[0].Kind() == constant.Bool && constant.BoolVal(vals[0]) != c.Want {
			return false
		}
		if c.Want && !e.plain && e.ruledOut(c.Term, args, f, depth) {
			return false
		}
	}
	return true
}

// ruledOut reports whether cond, a parameter equal to a constant (the
// case of a switch on a status), cannot hold for the argument given,
// because a branch the caller took on the way says it is not that
// constant: Retention(st) after "if st.Terminal() { return }".
func (e *evaluator) ruledOut(cond *Term, args []ssa.Value, f *Frame, depth int) bool {
	if !paramEqualsConst(cond) || cond.Tok != token.EQL {
		return false
	}
	p, c := cond.Args[0], cond.Args[1]
	if p.Op != TermParam {
		p, c = c, p
	}
	var v ssa.Value
	switch {
	case p.Index < len(args):
		v = args[p.Index]
	case e.storedIn != nil && p.Index < len(e.storedIn.Params):
		v = e.storedIn.Params[p.Index] // (see source)
	default:
		return false
	}
	consts := e.term(c, nil, nil, depth+1)
	if len(consts) != 1 {
		return false
	}
	want, at := consts[0], e.argsAt
	for steps := 0; v != nil && steps < maxDepth; steps++ {
		if at != nil && at.Parent() == valueParent(v) && e.excludedAt(v, want, at, f, depth) {
			return true
		}
		param, ok := v.(*ssa.Parameter)
		if !ok {
			return false
		}
		block := f.callBlock(param)
		arg, outer, bound := f.Bound(param)
		if !bound || block == nil {
			return false
		}
		v, at, f = arg, block, outer
	}
	return false
}

// excludedAt reports whether a branch that dominates block at was left on
// the side where v, if it were c, could not have gone.
func (e *evaluator) excludedAt(v ssa.Value, c constant.Value, at *ssa.BasicBlock, f *Frame, depth int) bool {
	for cond, holds := range branchesTo(at.Parent(), func(succ *ssa.BasicBlock) bool { return succ.Dominates(at) }) {
		fixed := maps.Clone(e.fixed)
		if fixed == nil {
			fixed = make(map[ssa.Value]constant.Value)
		}
		if !fixOperands(cond, v, c, fixed) {
			continue
		}
		one := &evaluator{model: e.model, fixed: fixed, plain: true}
		vals := one.values(cond, f, 0) // a question of its own, not deeper in this one
		if len(vals) == 1 && vals[0].Kind() == constant.Bool && constant.BoolVal(vals[0]) != holds {
			return true
		}
	}
	return false
}

// fixOperands sets, in fixed, each operand of cond that is v, or reads
// what v reads (rec.Status twice), to c; it reports whether there was one.
func fixOperands(cond, v ssa.Value, c constant.Value, fixed map[ssa.Value]constant.Value) bool {
	var ops []*ssa.Value
	switch cond := cond.(type) {
	case *ssa.BinOp:
		ops = []*ssa.Value{&cond.X, &cond.Y}
	case *ssa.Call:
		ops = cond.Call.Operands(nil)
	case *ssa.UnOp:
		if cond.Op == token.NOT {
			return fixOperands(cond.X, v, c, fixed)
		}
	}
	found := false
	for _, op := range ops {
		if *op != nil && SameRead(Unconverted(*op), Unconverted(v)) {
			fixed[*op] = c
			found = true
		}
	}
	return found
}

// condsChoose reports whether args are known to satisfy every one of
// conds: each evaluates to the one value it wants.
func (r *Result) condsChoose(conds []Cond, args []ssa.Value) bool {
	e := &evaluator{model: r}
	for _, c := range conds {
		vals := e.term(c.Term, args, nil, 1)
		if len(vals) != 1 || vals[0].Kind() != constant.Bool || constant.BoolVal(vals[0]) != c.Want {
			return false
		}
	}
	return true
}

// ChosenSource reports whether the arguments src's caller passes are
// known to take the wrapper down the branch that runs its operation:
// PutBytes(ctx, ns, key, v, 0) on the side of "if ttl == 0".
func (r *Result) ChosenSource(src Source) bool {
	return r.condsChoose(src.Conds, src.Args)
}

// ReachableSource reports whether the wrapped operation behind src can
// run for the arguments its caller passes, in frame f.
func (r *Result) ReachableSource(src Source, f *Frame) bool {
	if src.Conds == nil {
		return true
	}
	e := &evaluator{model: r}
	return e.condsHold(src.Conds, src.Args, f, 0)
}

// Unset reports whether src, an operand that a wrapper sets only on
// some of its paths (if limit > 0 { params.Limit = F(limit) }), is set on
// none of them for what its caller gives: List(ctx, prefix, "", 0).
func (r *Result) Unset(src Source, f *Frame) bool {
	t := src.Term
	if t == nil || t.Op != TermPhi || len(t.Conds) != len(t.Args) {
		return false
	}
	e := &evaluator{model: r}
	for i := range t.Args {
		if e.condsHold(t.Conds[i], src.Args, f, 0) {
			return false
		}
	}
	return true
}

func literalToken(k constant.Kind) token.Token {
	switch k {
	case constant.Int:
		return token.INT
	case constant.Float:
		return token.FLOAT
	case constant.String:
		return token.STRING
	case constant.Complex:
		return token.IMAG
	}
	return token.ILLEGAL
}

func convertClass(c constant.Value, class string) constant.Value {
	switch class {
	case "int":
		return convert(c, types.Typ[types.Int64])
	case "float":
		return convert(c, types.Typ[types.Float64])
	}
	return c
}

// roundValue applies a math rounding function to c.
func roundValue(c constant.Value, round func(float64) float64) constant.Value {
	f, _ := constant.Float64Val(constant.ToFloat(c))
	return constant.MakeFloat64(round(f))
}

// retyped returns the value v is, under changes of its type and
// conversions to an interface: PT(rec), any(clock).
func retyped(v ssa.Value) ssa.Value {
	for {
		switch x := v.(type) {
		case *ssa.MakeInterface:
			v = x.X
		case *ssa.ChangeInterface:
			v = x.X
		case *ssa.ChangeType:
			v = x.X
		default:
			return v
		}
	}
}

// Clock reports whether v is the time now: time.Now(), a clock kept in a
// field (s.now()) or behind an interface (clock.Now()), as code tested
// with a fake clock keeps it, or a time.Time method of one
// (time.Now().UTC()).
func Clock(v ssa.Value) bool {
	call, ok := retyped(v).(*ssa.Call)
	if !ok || !IsTime(call.Type()) {
		return false
	}
	callee := call.Call.StaticCallee()
	switch {
	case callee == nil: // s.now(), or clock.Now() behind an interface
		return len(call.Call.Args) == 0 && (!call.Call.IsInvoke() || call.Call.Method.Name() == "Now")
	case callee.String() == "time.Now":
		return true
	case callee.Signature.Recv() != nil && callee.Pkg != nil && callee.Pkg.Pkg.Path() == "time":
		return Clock(call.Call.Args[0])
	}
	return false
}
