package kvapi

import (
	"go/constant"
	"go/token"
	"go/types"
	"iter"
	"slices"
	"strings"

	"golang.org/x/tools/go/ssa"
)

// A Bound is what the code shows of the least value that a lifetime
// computed at run time can take, in the unit of its type (nanoseconds for
// a time.Duration). Eval answers for values known at compile time; Bound
// for the rest: a TTL counted down to a moment, time.Until(t), has no
// least value unless a clamp gives it one, max(ttl, time.Minute).
type Bound struct {
	// Countdown is set when the value is a difference of times, to a
	// moment taken to lie ahead: it falls to zero as the moment nears,
	// unless a floor holds it up, or a constant added to it.
	Countdown bool
	// Floor is the least value, when Floored: set by a clamp, or by a
	// condition that the path to the use passes, "if ttl < d { return }".
	Floor   float64
	Floored bool
	// Clamped is set when Floor comes from a clamp of a value that is not
	// itself constant: max(ttl, 30*time.Second), or "if ttl < d { ttl = d }".
	Clamped bool
	// ClampPos is the max(...) call that sets the floor, when it is one.
	ClampPos token.Pos
	// Jittered is set when a random amount is added to the floor: 45 s +
	// rand.N(10 s) varies at run time, and is never below 45 s.
	Jittered bool
	// Ceiling is the most the value can be, when Ceiled: a cap that
	// min(wait, 30*time.Second) puts on what is not known here.
	Ceiling float64
	Ceiled  bool
	// Reduced is set when a constant is taken off a lifetime known only
	// at run time: an upstream's expires_in less a margin for skew,
	// which a short lifetime leaves under the margin, or below zero.
	Reduced bool
	// Given is set when the lifetime is what the sender of a request or
	// a command asks for, read from its text or its options at run time
	// ("/skip daily 30s"): unless a floor holds it up, a sender can ask
	// for less than KV accepts.
	Given bool
	// Step is the least positive change of a Given whole number, scaled
	// as the number is: days*24*time.Hour moves a day at a time, so no
	// positive number of days is short.
	Step float64
	// Beyond is the bound of the ways in that are not the constant at
	// Floor, when some are: a lifetime that is 0 for "no expiry" or else
	// a clamped countdown. A test that rules the constant out (ttl > 0,
	// as a wrapper sends a TTL only then) leaves Beyond.
	Beyond *Bound
}

var (
	unknownBound = Bound{}
	countdown    = Bound{Countdown: true, Floored: true}
)

func constBound(c constant.Value) Bound {
	f, ok := constant.Float64Val(constant.ToFloat(c))
	if !ok && c.Kind() != constant.Float && c.Kind() != constant.Int {
		return unknownBound
	}
	return Bound{Floor: f, Floored: true}
}

// scale multiplies the bound by k > 0, as a conversion of units does.
func (b Bound) scale(k float64) Bound {
	b.Floor *= k
	b.Ceiling *= k
	b.Step *= k
	if b.Beyond != nil {
		beyond := b.Beyond.scale(k)
		b.Beyond = &beyond
	}
	return b
}

// capped returns b, the bound of min(args...), capped by the least of the
// constants among args when some argument is not constant.
func capped(b Bound, consts []constant.Value, n int) Bound {
	if len(consts) == 0 || len(consts) == n {
		return b // nothing to cap, or a constant that checkTTL evaluates
	}
	for _, c := range consts {
		f, ok := constant.Float64Val(constant.ToFloat(c))
		if ok && (!b.Ceiled || f < b.Ceiling) {
			b.Ceiling, b.Ceiled = f, true
		}
	}
	return b
}

// BoundOf returns the bound of v at its use in block at, in frame f:
// conditions that hold there, "if ttl < time.Minute { return }", raise it.
// Free lists the parameters that f does not bind, as Eval's does.
func (r *Result) BoundOf(v ssa.Value, at *ssa.BasicBlock, f *Frame) (Bound, []*ssa.Parameter) {
	e := &evaluator{model: r}
	return e.bound(v, at, f, 0), e.free
}

// SourceBound is BoundOf for an operand's source, whether a value of this
// package or a wrapper's Term over its caller's arguments.
func (r *Result) SourceBound(src Source, at *ssa.BasicBlock, f *Frame) (Bound, []*ssa.Parameter) {
	e := &evaluator{model: r}
	if src.Term == nil {
		return e.bound(src.Value, at, f, 0), e.free
	}
	return e.termBound(src.Term, nil, src.Args, at, f, 0), e.free
}

func (e *evaluator) bound(v ssa.Value, at *ssa.BasicBlock, f *Frame, depth int) Bound {
	if depth > maxDepth {
		return unknownBound
	}
	if vals, whole := e.wholly(func() []constant.Value { return e.values(v, f, depth+1) }); len(vals) == 1 && whole {
		return constBound(vals[0])
	}
	var b Bound
	switch v := v.(type) {
	case *ssa.Parameter:
		if arg, outer, ok := f.Bound(v); ok {
			b = e.bound(arg, f.callBlock(v), outer, depth+1)
		} else if given := e.model.givenArgs(v); len(given) == 1 {
			b = e.bound(given[0], nil, f, depth+1)
		}
	case *ssa.Convert:
		b = e.bound(v.X, at, f, depth+1)
	case *ssa.ChangeType:
		b = e.bound(v.X, at, f, depth+1)
	case *ssa.UnOp:
		if v.Op == token.MUL {
			if stored := e.model.storedInto(v.X); len(stored) == 1 {
				b = e.bound(stored[0], at, f, depth+1)
			} else if stores := storesReaching(v); stores != nil {
				var ways []Bound
				for _, st := range stores {
					ways = append(ways, e.bound(st.Val, st.Block(), f, depth+1))
				}
				b = joinWays(ways)
			} else if fa, ok := v.X.(*ssa.FieldAddr); ok {
				b = e.fieldBound(fa.X, fieldName(fa.X.Type(), fa.Field), f, depth)
			}
		}
	case *ssa.Field:
		b = e.fieldBound(v.X, fieldName(v.X.Type(), v.Field), f, depth)
	case *ssa.BinOp:
		b = e.binBound(v, at, f, depth)
	case *ssa.Phi:
		b = e.phiBound(v, f, depth)
	case *ssa.Alloc:
		if to := e.model.PointedTo(v); to != nil {
			return e.bound(to, at, f, depth+1) // &ttl
		}
	case *ssa.Call:
		if to := e.model.PointedTo(v); to != nil {
			return e.bound(to, at, f, depth+1) // units.Ptr(ttl)
		}
		b = e.callBound(v, at, f, depth)
	case *ssa.Extract:
		if call, ok := v.Tuple.(*ssa.Call); ok && v.Index == 0 && e.parsedInput(call, f) {
			b = givenBound(v.Type()) // d, err := time.ParseDuration(fields[1])
		} else if ok {
			b = e.returnedBound(call, v.Index, f, depth) // key, ttl := entry(id)
		}
	}
	return e.refine(b, v, at, f, depth)
}

// wholly returns what eval finds, and whether that is every value: a phi
// one of whose ways in is not known (min(time.Until(t), maxBackoff) as an
// if) has only its known values, which bound nothing.
func (e *evaluator) wholly(eval func() []constant.Value) ([]constant.Value, bool) {
	was := e.partial
	e.partial = false
	vals := eval()
	whole := !e.partial
	e.partial = was || e.partial
	return vals, whole
}

// fieldBound is the bound of field name of the struct x, an options
// parameter, from what its callers store there: PutOptions{TTL: ttl},
// each value as the block that stores it sees it.
func (e *evaluator) fieldBound(x ssa.Value, name string, f *Frame, depth int) Bound {
	if alloc, ok := x.(*ssa.Alloc); ok {
		// A struct parameter whose address is taken lives in a variable.
		if stored := e.model.storedInto(alloc); len(stored) == 1 {
			x = stored[0]
		}
	}
	if _, isParam := x.(*ssa.Parameter); !isParam {
		return unknownBound
	}
	srcs, in, unbound, ok := e.model.fieldSourcesIn(x, name, f)
	if unbound != nil && !slices.Contains(e.free, unbound) {
		e.free = append(e.free, unbound)
	}
	if !ok || len(srcs) == 0 {
		return unknownBound
	}
	var bs []Bound
	for _, src := range srcs {
		if src.Value == nil {
			return unknownBound
		}
		bs = append(bs, e.bound(src.Value, src.Block, in, depth+1))
	}
	return join(bs)
}

// callBlock returns the block of the call that binds p in f.
func (f *Frame) callBlock(p *ssa.Parameter) *ssa.BasicBlock {
	for ; f != nil; f = f.Outer {
		if f.Fn == p.Parent() && f.Call != nil {
			return f.Call.Block()
		}
	}
	return nil
}

func (e *evaluator) binBound(v *ssa.BinOp, at *ssa.BasicBlock, f *Frame, depth int) Bound {
	if v.Op == token.SUB && isUnixTime(v.Y) {
		return countdown // exp.Unix() - time.Now().Unix()
	}
	if v.Op == token.SUB && isElapsed(v.Y) {
		return countdown // window - time.Since(issued), which is time.Until(issued.Add(window))
	}
	// One constant operand scales or shifts the other's bound; a value
	// known only on some paths (a phi with a default) is no constant.
	known := func(operand ssa.Value) (constant.Value, bool) {
		vals, whole := e.wholly(func() []constant.Value { return e.values(operand, f, depth+1) })
		if len(vals) != 1 || !whole {
			return nil, false
		}
		return vals[0], true
	}
	x, y := v.X, v.Y
	c, ok := known(y)
	if !ok && (v.Op == token.ADD || v.Op == token.MUL) {
		if c, ok = known(x); ok {
			x, y = y, x // 2*window
		}
	}
	b := e.bound(x, at, f, depth+1)
	if !ok {
		if v.Op == token.ADD && b.Floored && !b.Countdown {
			if yb := e.bound(y, at, f, depth+1); yb.Floored {
				return Bound{Floor: b.Floor + yb.Floor, Floored: true, Clamped: b.Clamped || yb.Clamped, Jittered: b.Jittered || yb.Jittered}
			}
		}
		return unknownBound
	}
	k, _ := constant.Float64Val(constant.ToFloat(c))
	switch v.Op {
	case token.ADD:
		b.Floor += k
		b.Ceiling += k
		b.Beyond = nil
	case token.SUB:
		b.Floor -= k
		b.Ceiling -= k
		b.Beyond = nil
		if _, constantToo := known(x); !constantToo && k > 0 {
			b.Reduced = true
		}
	case token.MUL:
		if k <= 0 {
			return unknownBound
		}
		b = b.scale(k)
	case token.QUO:
		if k <= 0 {
			return unknownBound
		}
		b = b.scale(1 / k)
	default:
		return unknownBound
	}
	return b
}

// isElapsed reports whether v is the time elapsed since a moment,
// time.Since(t): what is left of a window counted from t falls to zero.
func isElapsed(v ssa.Value) bool {
	call, ok := v.(*ssa.Call)
	return ok && CalleeName(call) == "time.Since"
}

// isUnixTime reports whether v is a time read as a Unix number:
// t.Unix(), t.UnixMilli().
func isUnixTime(v ssa.Value) bool {
	if conv, ok := v.(*ssa.Convert); ok {
		v = conv.X
	}
	call, ok := v.(*ssa.Call)
	return ok && strings.HasPrefix(CalleeName(call), "(time.Time).Unix")
}

func (e *evaluator) phiBound(v *ssa.Phi, f *Frame, depth int) Bound {
	var edges []Bound
	for i, edge := range v.Edges {
		if !e.edgeTaken(v.Block(), i, f, depth) {
			continue
		}
		pred := v.Block().Preds[i]
		b := e.bound(edge, pred, f, depth+1)
		b = e.refineEdge(b, edge, pred, v.Block(), f, depth)
		edges = append(edges, b)
	}
	return joinWays(edges)
}

// joinWays joins the bounds of the ways a value may come by: a phi's
// edges, or the stores that may have set a field.
func joinWays(edges []Bound) Bound {
	joined := join(edges)
	if !joined.Floored && slices.ContainsFunc(edges, func(b Bound) bool { return b.Countdown && b.Floored && b.Floor <= 0 }) {
		// One way in counts down to a moment with nothing under it (ttl =
		// time.Until(midnight) in one case of a switch): on that way the
		// lifetime drops to zero, whatever the other ways give.
		return countdown
	}
	if !joined.Floored {
		// One way in clamps to a floor, and nothing is known of the others
		// (ttl from settings, or max(time.Until(t), 30*time.Second) when a
		// teardown time is set): that floor is what this value is known
		// to fall to.
		var clamp *Bound
		for _, b := range edges {
			switch {
			case b.Clamped && b.Floored:
				if clamp == nil || b.Floor < clamp.Floor {
					clamp = &b
				}
			case b != unknownBound:
				return joined
			}
		}
		if clamp != nil {
			return *clamp
		}
	}
	return joined
}

// join is the bound of a value that may be any of bs.
func join(bs []Bound) Bound {
	if len(bs) == 0 {
		return unknownBound
	}
	if slices.ContainsFunc(bs, func(b Bound) bool { return b.Beyond != nil }) {
		// A way in that is itself a constant or others: join them all.
		var ways []Bound
		for _, b := range bs {
			if b.Beyond != nil {
				ways = append(ways, constBound(constant.MakeFloat64(b.Floor)), *b.Beyond)
			} else {
				ways = append(ways, b)
			}
		}
		bs = ways
	}
	out := Bound{Floored: true}
	constant, varying := false, false
	for i, b := range bs {
		out.Countdown = out.Countdown || b.Countdown
		out.Clamped = out.Clamped || b.Clamped
		out.Jittered = out.Jittered || b.Jittered
		out.Reduced = out.Reduced || b.Reduced
		if b.Given {
			// The finest step of any way in (0, any length, the finest).
			if !out.Given || b.Step < out.Step {
				out.Step = b.Step
			}
			out.Given = true
		}
		if b.Clamped || b.Countdown || !b.Floored {
			varying = true
		} else {
			constant = true
		}
		if !b.Floored {
			out.Floored = false
			continue
		}
		if i == 0 || b.Floor < out.Floor {
			out.Floor, out.ClampPos = b.Floor, b.ClampPos
		}
	}
	if !out.Floored {
		return Bound{Reduced: out.Reduced, Given: out.Given, Step: out.Step}
	}
	// "if ttl < d { ttl = d }": d joins the ttl that the branch let pass.
	out.Clamped = out.Clamped || constant && varying
	atFloor := func(b Bound) bool { return b.constant() && b.Floor == out.Floor }
	if others := slices.DeleteFunc(slices.Clone(bs), atFloor); len(others) > 0 && len(others) < len(bs) {
		if beyond := join(others); beyond.Floored && beyond.Floor > out.Floor {
			out.Beyond = &beyond
		}
	}
	return out
}

// constant reports whether b is the bound of one constant.
func (b Bound) constant() bool {
	return b.Floored && !b.Countdown && !b.Clamped && !b.Jittered && !b.Reduced && !b.Given && !b.Ceiled && b.Beyond == nil
}

func (e *evaluator) callBound(call *ssa.Call, at *ssa.BasicBlock, f *Frame, depth int) Bound {
	name := CalleeName(call)
	args := call.Call.Args
	switch {
	case name == "time.Until" && len(args) == 1:
		if lead, ok := e.lead(args[0], nil, at, f, 0); ok {
			return Bound{Countdown: true, Floored: true, Floor: lead}
		}
		return countdown
	case name == "(time.Time).Sub" && len(args) == 2:
		// t.Sub(now) of t := now.Add(d) is d: no countdown, as the moment
		// is counted from the same now.
		if d := e.model.addedTo(args[0], args[1]); d != nil {
			return e.bound(d, at, f, depth+1)
		}
		if lead, ok := e.lead(args[0], args[1], at, f, 0); ok {
			return Bound{Countdown: true, Floored: true, Floor: lead}
		}
		return countdown
	case name == "time.Until":
		return countdown
	case name == "max" || name == "min":
		var bs []Bound
		var consts []constant.Value
		for _, a := range args {
			bs = append(bs, e.bound(a, at, f, depth+1))
			if vals, whole := e.wholly(func() []constant.Value { return e.values(a, f, depth+1) }); len(vals) == 1 && whole {
				consts = append(consts, vals[0])
			}
		}
		if name == "min" {
			return capped(extreme(false, bs, call.Pos()), consts, len(args))
		}
		return extreme(true, bs, call.Pos())
	case strings.HasPrefix(name, "(time.Duration).") && len(args) == 1:
		if per, ok := nsPerUnit[strings.TrimPrefix(name, "(time.Duration).")]; ok {
			return e.bound(args[0], at, f, depth+1).scale(1 / per)
		}
	case roundings[name] != nil && len(args) == 1:
		return e.bound(args[0], at, f, depth+1)
	case randomFrom0[name]:
		return Bound{Floored: true, Jittered: true} // 45*time.Second + rand.N(10*time.Second)
	}
	if callee := call.Call.StaticCallee(); callee != nil {
		if t := e.model.numberTerm(callee); t != nil {
			return e.termBound(t, nil, args, at, f, depth+1) // kvstore.SecondsOf(d)
		}
		if e.model.countsDownIn(callee, 0) {
			return countdown // ttl.FromDeadline(ctx, def) of another package
		}
	}
	if fns := e.model.StoredFuncs(&call.Call); fns != nil {
		// The least of what any literal the field is set to returns.
		var bs []Bound
		for _, fn := range fns {
			inner := &Frame{Call: call, Fn: fn, Outer: f}
			for _, ret := range Returns(fn) {
				if len(ret.Results) != 1 {
					return unknownBound
				}
				bs = append(bs, e.bound(ret.Results[0], ret.Block(), inner, depth+1))
			}
		}
		// A clamp's floor is reached whenever its literal or method is
		// the one called, whatever the others give (a policy from
		// configuration).
		if slices.ContainsFunc(bs, func(b Bound) bool { return b.Floored && b.Clamped }) {
			bs = slices.DeleteFunc(bs, func(b Bound) bool { return !b.Floored })
		}
		return join(bs)
	}
	if picked := e.model.pickedArgs(&call.Call); picked != nil {
		var bs []Bound // pick.If(retry, max(d, 3*time.Second), time.Hour)
		for _, a := range picked {
			bs = append(bs, e.bound(a, at, f, depth+1))
		}
		return join(bs)
	}
	if e.parsedInput(call, f) || e.gotInput(call, f) {
		return givenBound(call.Type()) // n := strconv.Atoi(q.Get("ttl")), o.IntValue()
	}
	if name, ok := ownMethod(call); ok {
		// rec.TTL() in a save[T Record] of this package.
		return e.recordMethodBound(call.Call.Value, strings.TrimPrefix(name, keyMethodPrefix), at, f, depth)
	}
	return e.returnedBound(call, 0, f, depth)
}

// returnedBound is the bound of the result'th result of call, to a
// function of this package: the loosest of its returns that can run,
// each read with the call's arguments (return key, max(2*window,
// 3*time.Second)).
func (e *evaluator) returnedBound(call *ssa.Call, result int, f *Frame, depth int) Bound {
	callee := origin(call.Call.StaticCallee())
	if callee != nil && e.model.countsDownIn(callee, result) {
		return countdown // left, ok := kvstore.ExpiresIn(resp.Header)
	}
	if callee == nil || callee.Pkg != e.model.pkg || callee.Blocks == nil || result >= callee.Signature.Results().Len() {
		return unknownBound
	}
	inner := &Frame{Call: call, Fn: callee, Outer: f}
	var bs []Bound
	for _, ret := range Returns(callee) {
		if e.reachable(ret.Block(), inner, depth) {
			bs = append(bs, e.bound(ret.Results[result], ret.Block(), inner, depth+1))
		}
	}
	if len(bs) == 0 {
		return unknownBound
	}
	return join(bs)
}

// countsDownIn reports whether callee, of another package, returns a
// countdown in its result i on some path (see countdownFact).
func (r *Result) countsDownIn(callee *ssa.Function, i int) bool {
	if origin(callee).Pkg == r.pkg {
		return false // its body is read
	}
	var fact countdownFact
	return r.helperFact(callee, &fact) && slices.Contains(fact.Results, i)
}

// addedTo returns d when t is from.Add(d), directly or through the field
// of a local struct it is set in once (ExpiresAt: now.Add(lifetime)).
func (r *Result) addedTo(t, from ssa.Value) ssa.Value {
	if load, ok := t.(*ssa.UnOp); ok && load.Op == token.MUL {
		if fa, ok := load.X.(*ssa.FieldAddr); ok {
			if set := fieldSetOnce(fa.X, fa.Field); set != nil {
				t = set
			}
		}
	}
	if fd, ok := t.(*ssa.Field); ok {
		if load, ok := fd.X.(*ssa.UnOp); ok && load.Op == token.MUL {
			if set := fieldSetOnce(load.X, fd.Field); set != nil {
				t = set
			}
		}
	}
	add, ok := t.(*ssa.Call)
	if !ok || CalleeName(add) != "(time.Time).Add" || len(add.Call.Args) != 2 || !r.SameValue(add.Call.Args[0], from) {
		return nil
	}
	return add.Call.Args[1]
}

// randomFrom0 names the functions of math/rand and math/rand/v2 that
// draw a number from 0 up.
var randomFrom0 = map[string]bool{
	"math/rand/v2.N": true, "math/rand/v2.IntN": true, "math/rand/v2.Int64N": true, "math/rand/v2.Int32N": true,
	"math/rand/v2.UintN": true, "math/rand/v2.Uint64N": true, "math/rand/v2.Float64": true,
	"math/rand.Intn": true, "math/rand.Int63n": true, "math/rand.Int31n": true, "math/rand.Float64": true,
}

// extreme is the bound of max(bs...) or of min(bs...), called at pos.
func extreme(isMax bool, bs []Bound, pos token.Pos) Bound {
	if !isMax {
		// min is never above any argument: one that counts down with
		// nothing under it takes the result to zero, whatever the others.
		out := join(bs)
		if !out.Floored && slices.ContainsFunc(bs, func(b Bound) bool { return b.Countdown && b.Floored && b.Floor <= 0 }) {
			return countdown
		}
		return out
	}
	var out Bound
	varying := false
	for _, b := range bs {
		out.Countdown = out.Countdown || b.Countdown
		varying = varying || !b.Floored || b.Clamped || b.Countdown
		if b.Floored && (!out.Floored || b.Floor > out.Floor) {
			out.Floor, out.Floored = b.Floor, true
		}
	}
	if out.Floored && varying {
		out.Clamped, out.ClampPos = true, pos
	}
	return out
}

// refine raises b by the conditions known to hold on v in block at.
func (e *evaluator) refine(b Bound, v ssa.Value, at *ssa.BasicBlock, f *Frame, depth int) Bound {
	if at == nil || at.Parent() != valueParent(v) {
		return b
	}
	if instr, ok := v.(ssa.Instruction); ok && !instr.Block().Dominates(at) {
		at = instr.Block() // what held where v was made holds wherever it goes
	}
	for cond, holds := range branchesTo(at.Parent(), func(succ *ssa.BasicBlock) bool { return succ.Dominates(at) }) {
		b = e.raise(b, cond, holds, v, f, depth)
	}
	return b
}

// branchesTo yields the condition of each if in fn whose way out, taken
// into a block of its own, dominates every block that covers accepts,
// and whether the condition holds on that way.
func branchesTo(fn *ssa.Function, covers func(*ssa.BasicBlock) bool) iter.Seq2[ssa.Value, bool] {
	return func(yield func(ssa.Value, bool) bool) {
		for _, d := range fn.Blocks {
			br, ok := d.Instrs[len(d.Instrs)-1].(*ssa.If)
			if !ok || d.Succs[0] == d.Succs[1] {
				continue
			}
			for i, succ := range d.Succs {
				if len(succ.Preds) == 1 && covers(succ) && !yield(br.Cond, i == 0) {
					return
				}
			}
		}
	}
}

// refineAtUses raises b by the conditions that hold wherever v is used:
// a value stored in an entry of a batch after "if left < time.Hour {
// continue }" is at least an hour where the batch is sent, after the loop.
func (e *evaluator) refineAtUses(b Bound, v ssa.Value, f *Frame, depth int) Bound {
	instr, ok := v.(ssa.Instruction)
	if !ok || v.Referrers() == nil {
		return b
	}
	var uses []*ssa.BasicBlock
	for _, ref := range *v.Referrers() {
		switch ref := ref.(type) {
		case *ssa.DebugRef:
			continue
		case *ssa.BinOp:
			if isComparison(ref.Op) {
				continue // the test itself
			}
		}
		uses = append(uses, ref.Block())
	}
	if len(uses) == 0 {
		return b
	}
	dominatesUses := func(succ *ssa.BasicBlock) bool {
		return !slices.ContainsFunc(uses, func(u *ssa.BasicBlock) bool { return !succ.Dominates(u) })
	}
	for cond, holds := range branchesTo(instr.Parent(), dominatesUses) {
		b = e.raise(b, cond, holds, v, f, depth)
	}
	return b
}

func isComparison(op token.Token) bool {
	switch op {
	case token.LSS, token.LEQ, token.GTR, token.GEQ, token.EQL, token.NEQ:
		return true
	}
	return false
}

// refineEdge raises b, the bound of v on the way from pred into block,
// by what holds in pred and by the branch taken out of it.
func (e *evaluator) refineEdge(b Bound, v ssa.Value, pred, block *ssa.BasicBlock, f *Frame, depth int) Bound {
	b = e.refine(b, v, pred, f, depth)
	if br, ok := pred.Instrs[len(pred.Instrs)-1].(*ssa.If); ok && pred.Succs[0] != pred.Succs[1] {
		b = e.raise(b, br.Cond, pred.Succs[0] == block, v, f, depth)
	}
	return b
}

func valueParent(v ssa.Value) *ssa.Function {
	if instr, ok := v.(ssa.Instruction); ok {
		return instr.Parent()
	}
	if p, ok := v.(*ssa.Parameter); ok {
		return p.Parent()
	}
	return nil
}

// raise raises b when cond, known to be holds, says that v is at least a
// constant: !(v < c), v >= c, c <= v, and their kin.
func (e *evaluator) raise(b Bound, cond ssa.Value, holds bool, v ssa.Value, f *Frame, depth int) Bound {
	bin, ok := cond.(*ssa.BinOp)
	if !ok {
		return b
	}
	subjectX := e.same(bin.X, v)
	if !subjectX && !e.same(bin.Y, v) {
		return b
	}
	other := bin.Y
	if !subjectX {
		other = bin.X
	}
	if b.Beyond != nil && rulesOut(bin.Op, holds, subjectX, e.values(other, f, depth+1), b.Floor) {
		b = *b.Beyond // ttl > 0 of a ttl that is 0 for "no expiry"
	}
	if !atLeast(bin.Op, holds, subjectX) {
		return b
	}
	if vals := e.values(other, f, depth+1); len(vals) > 0 {
		return b.raisedTo(vals)
	}
	// Above a value with a floor of its own, until > ttl of ttl :=
	// max(2*w, 3*time.Second): that floor, and the clamp that sets it.
	if ob := e.bound(other, nil, f, depth+1); ob.Floored && ob.Floor > 0 && (!b.Floored || ob.Floor > b.Floor) {
		b.Floor, b.Floored = ob.Floor, true
		if ob.Clamped {
			b.Clamped, b.ClampPos = true, ob.ClampPos
		}
	}
	return b
}

// atLeast reports whether a comparison x op y, known to come out as holds,
// says that its subject (x when subjectX, else y) is at least the other
// operand.
func atLeast(op token.Token, holds, subjectX bool) bool {
	if !holds {
		op = negate(op)
	}
	if !subjectX {
		op = mirror(op)
	}
	return op == token.GTR || op == token.GEQ
}

// rulesOut reports whether a comparison x op y, known to come out as
// holds, excludes the value floor of its subject: ttl > 0, or ttl != 0,
// of a ttl whose least value 0 is a constant way in.
func rulesOut(op token.Token, holds, subjectX bool, vals []constant.Value, floor float64) bool {
	if len(vals) != 1 {
		return false
	}
	c, ok := constant.Float64Val(constant.ToFloat(vals[0]))
	if !ok {
		return false
	}
	if op == token.EQL || op == token.NEQ {
		return (op == token.NEQ) == holds && c == floor
	}
	if !holds {
		op = negate(op)
	}
	if !subjectX {
		op = mirror(op)
	}
	return op == token.GTR && c >= floor
}

// raisedTo returns b raised to the one value of vals, if that is higher.
func (b Bound) raisedTo(vals []constant.Value) Bound {
	if len(vals) != 1 {
		return b
	}
	if floor := constBound(vals[0]); floor.Floored && (!b.Floored || floor.Floor > b.Floor) {
		// A value not known but for a test it passed (window > 0 after
		// "if window <= 0 { window = time.Minute }") still varies above
		// it, as a clamped one does.
		b.Clamped = b.Clamped || !b.Floored
		b.Floor, b.Floored = floor.Floor, true
	}
	return b
}

func (e *evaluator) same(a, b ssa.Value) bool {
	a, b = Unconverted(a), Unconverted(b)
	if a == b {
		return true
	}
	// Two reads of one field of a struct parameter: "if opts.TTL > 0",
	// then opts.TTL.Seconds().
	if fa, ok := a.(*ssa.Field); ok {
		fb, ok := b.(*ssa.Field)
		_, param := fa.X.(*ssa.Parameter)
		return ok && param && fa.X == fb.X && fa.Field == fb.Field
	}
	// (Or of the variable a struct parameter whose address is taken
	// lives in, as fieldBound reads it: *(&opts.TTL).)
	la, ok := a.(*ssa.UnOp)
	lb, ok2 := b.(*ssa.UnOp)
	if !ok || !ok2 || la.Op != token.MUL || lb.Op != token.MUL {
		return false
	}
	fa, ok := la.X.(*ssa.FieldAddr)
	fb, ok2 := lb.X.(*ssa.FieldAddr)
	if !ok || !ok2 || fa.X != fb.X || fa.Field != fb.Field {
		return false
	}
	stored := e.model.storedInto(fa.X)
	_, param := fa.X.(*ssa.Parameter)
	return param || len(stored) == 1 && isParameter(stored[0])
}

func isParameter(v ssa.Value) bool { _, ok := v.(*ssa.Parameter); return ok }

// Unconverted returns the value v converts, through any conversions:
// g of ids.GrowerID(g), or of []byte(g).
func Unconverted(v ssa.Value) ssa.Value {
	for {
		switch c := v.(type) {
		case *ssa.ChangeType:
			v = c.X
		case *ssa.Convert:
			v = c.X
		default:
			return v
		}
	}
}

func negate(op token.Token) token.Token {
	switch op {
	case token.LSS:
		return token.GEQ
	case token.LEQ:
		return token.GTR
	case token.GTR:
		return token.LEQ
	case token.GEQ:
		return token.LSS
	}
	return token.ILLEGAL
}

func mirror(op token.Token) token.Token {
	switch op {
	case token.LSS:
		return token.GTR
	case token.LEQ:
		return token.GEQ
	case token.GTR:
		return token.LSS
	case token.GEQ:
		return token.LEQ
	}
	return op
}

// termBound is the bound of a wrapper's Term, its parameters bound to
// args, the caller's, used in block at. held are the conditions known to
// hold on the path inside the wrapper.
func (e *evaluator) termBound(t *Term, held []Cond, args []ssa.Value, at *ssa.BasicBlock, f *Frame, depth int) Bound {
	if depth > maxDepth {
		return unknownBound
	}
	if vals, whole := e.wholly(func() []constant.Value { return e.term(t, args, f, depth) }); len(vals) == 1 && whole {
		return constBound(vals[0])
	}
	// A Term is a finite tree: going down it costs no depth, which bounds
	// how far the values it is given are followed.
	sub := func(i int) Bound { return e.termBound(t.Args[i], held, args, at, f, depth) }
	var b Bound
	switch t.Op {
	case TermParam:
		if t.Index < len(args) {
			b = e.bound(args[t.Index], at, f, depth+1)
			b = e.refineAtUses(b, args[t.Index], f, depth)
		}
	case TermConvert:
		b = sub(0)
	case TermPhi:
		var edges []Bound
		for i := range t.Args {
			if !e.condsHold(t.Conds[i], args, f, depth) || priorField(t.Args[i]) {
				continue
			}
			edges = append(edges, e.termBound(t.Args[i], append(held[:len(held):len(held)], t.Conds[i]...), args, at, f, depth+1))
		}
		b = join(edges)
	case TermCall:
		switch {
		case CountdownFunc(t.Name):
			b = countdown
		case strings.HasPrefix(t.Name, keyMethodPrefix) && len(t.Args) == 1 && t.Args[0].Op == TermParam && t.Args[0].Index < len(args):
			// rec.TTL() in a Save[T Record]: the record's own method.
			b = e.recordMethodBound(args[t.Args[0].Index], strings.TrimPrefix(t.Name, keyMethodPrefix), at, f, depth)
		case t.Name == "max" || t.Name == "min":
			var bs []Bound
			var consts []constant.Value
			for i := range t.Args {
				bs = append(bs, sub(i))
				if vals, whole := e.wholly(func() []constant.Value { return e.term(t.Args[i], args, f, depth+1) }); len(vals) == 1 && whole {
					consts = append(consts, vals[0])
				}
			}
			b = extreme(t.Name == "max", bs, token.NoPos)
			if t.Name == "min" {
				b = capped(b, consts, len(t.Args))
			}
		case strings.HasPrefix(t.Name, "(time.Duration).") && len(t.Args) == 1:
			if per, ok := nsPerUnit[strings.TrimPrefix(t.Name, "(time.Duration).")]; ok {
				b = sub(0).scale(1 / per)
			}
		case roundings[t.Name] != nil && len(t.Args) == 1:
			b = sub(0)
		}
	case TermBinOp:
		if t.Tok == token.SUB && t.Args[1].Op == TermCall && t.Args[1].Name == "time.Since" {
			b = countdown
			break
		}
		ys := e.term(t.Args[1], args, f, depth+1)
		if len(ys) != 1 {
			return unknownBound
		}
		k, _ := constant.Float64Val(constant.ToFloat(ys[0]))
		b = sub(0)
		switch {
		case t.Tok == token.ADD:
			b.Floor += k
			b.Ceiling += k
			b.Beyond = nil
		case t.Tok == token.SUB:
			b.Floor -= k
			b.Ceiling -= k
			b.Beyond = nil
		case t.Tok == token.MUL && k > 0:
			b = b.scale(k)
		case t.Tok == token.QUO && k > 0:
			b = b.scale(1 / k)
		default:
			return unknownBound
		}
	}
	return e.raiseTerm(b, t, held, args, f, depth)
}

// recordMethodBound is the bound of what the method name of recv, whose
// concrete type is known in frame f, returns: a Slot's TTL() that counts
// down to the slot's start.
func (e *evaluator) recordMethodBound(recv ssa.Value, name string, at *ssa.BasicBlock, f *Frame, depth int) Bound {
	recv, f, ok := given(recv, f)
	if !ok && types.IsInterface(recv.Type()) {
		// A record its callers give: bound through them.
		if p, isParam := recv.(*ssa.Parameter); isParam && !slices.Contains(e.free, p) {
			e.free = append(e.free, p)
		}
		return unknownBound
	}
	// (A parameter of a concrete type has that type's method.)
	m := e.model.methodNamed(recv.Type(), name)
	switch {
	case m == nil:
		return unknownBound
	case m.Pkg == e.model.pkg && m.Blocks != nil:
		var bs []Bound
		for _, b := range m.Blocks {
			if ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return); ok && len(ret.Results) == 1 {
				bs = append(bs, e.bound(ret.Results[0], b, &Frame{Fn: m, Recv: recv, Outer: f}, depth+1))
			}
		}
		return join(bs)
	}
	if t := e.model.numberTerm(m); t != nil {
		return e.termBound(t, nil, []ssa.Value{recv}, at, f, depth+1)
	}
	return unknownBound
}

// priorField reports whether t is what a field of options held before a
// setter ran, (TTL ?): WithTTL(d) applied in a loop over the options sets
// TTL to d, or leaves what an earlier option set, which is not d's to
// bound (the constant evaluator, too, knows only d).
func priorField(t *Term) bool {
	return t.Op == TermField && len(t.Args) == 1 && t.Args[0].Op == TermOpaque
}

// raiseTerm raises b by the conditions in held that say t is at least a
// constant, as a clamp inside the wrapper does.
func (e *evaluator) raiseTerm(b Bound, t *Term, held []Cond, args []ssa.Value, f *Frame, depth int) Bound {
	key := t.String()
	for _, c := range held {
		if c.Term.Op != TermBinOp || len(c.Term.Args) != 2 {
			continue
		}
		x, y := c.Term.Args[0], c.Term.Args[1]
		subjectX := x.String() == key
		if !subjectX && y.String() != key {
			continue
		}
		other := y
		if !subjectX {
			other = x
		}
		if b.Beyond != nil && rulesOut(c.Term.Tok, c.Want, subjectX, e.term(other, args, f, depth+1), b.Floor) {
			b = *b.Beyond // a wrapper that sends a TTL only when it is positive
		}
		if !atLeast(c.Term.Tok, c.Want, subjectX) {
			continue
		}
		b = b.raisedTo(e.term(other, args, f, depth+1))
	}
	return b
}

// lead returns how far ahead of the moment base (nil for now) the moment
// t is at least, when that is known: now.Add(d) is d ahead of now,
// until.Add(retention) is retention ahead of an until that a test let
// through only when it was not before now, and a moment moved up to one
// ("if until.Before(now.Add(time.Hour)) { until = now.Add(time.Hour) }")
// is at least as far ahead as what it is moved up to. A countdown from
// base to t starts there.
func (e *evaluator) lead(t, base ssa.Value, at *ssa.BasicBlock, f *Frame, depth int) (float64, bool) {
	if depth > maxDepth {
		return 0, false
	}
	if t == base {
		return 0, true
	}
	switch t := t.(type) {
	case *ssa.Call:
		if name := CalleeName(t); (name == "(time.Time).Truncate" || name == "(time.Time).Round") && len(t.Call.Args) == 2 {
			// The start of this hour is up to an hour behind now; the
			// nearest, up to half of one.
			from, ok := e.lead(t.Call.Args[0], base, at, f, depth+1)
			unit := e.values(t.Call.Args[1], f, 0)
			d, exact := 0.0, false
			if len(unit) == 1 {
				d, exact = constant.Float64Val(constant.ToFloat(unit[0]))
			}
			if !ok || !exact || d <= 0 {
				return 0, false
			}
			if name == "(time.Time).Round" {
				d /= 2
			}
			return from - d, true
		}
		if CalleeName(t) == "(time.Time).Add" && len(t.Call.Args) == 2 {
			from, ok := e.lead(t.Call.Args[0], base, at, f, depth+1)
			if !ok {
				from, ok = e.leadTested(t.Call.Args[0], base, t.Block(), nil, at, f, depth+1)
			}
			// A fresh depth: the added duration is its own question,
			// however deep the countdown was found.
			if b := e.bound(t.Call.Args[1], at, f, 0); ok && b.Floored && !b.Countdown {
				return from + b.Floor, true
			}
		}
	case *ssa.Phi:
		least, known := 0.0, false
		for i, edge := range t.Edges {
			l, ok := e.lead(edge, base, at, f, depth+1)
			if !ok {
				l, ok = e.leadTested(edge, base, t.Block().Preds[i], t.Block(), at, f, depth+1)
			}
			if !ok {
				return 0, false
			}
			if !known || l < least {
				least, known = l, true
			}
		}
		return least, known
	}
	if Clock(t) && (base == nil || Clock(base)) {
		return 0, true // now, from now
	}
	return 0, false
}

// leadTested returns the lead over base of a moment t that reaches block
// to from block from (or, with to nil, is used in from) by a way where a
// test said t is not before some m: "t.Before(m)" false, "m.After(t)"
// false, or "t.After(m)" true. t is then at least as far ahead as m.
func (e *evaluator) leadTested(t, base ssa.Value, from, to *ssa.BasicBlock, at *ssa.BasicBlock, f *Frame, depth int) (float64, bool) {
	for b := from; b != nil; b = b.Idom() {
		if b == from && to == nil {
			continue // the test comes after the use
		}
		br, ok := b.Instrs[len(b.Instrs)-1].(*ssa.If)
		if !ok {
			continue
		}
		cond, ok := br.Cond.(*ssa.Call)
		if !ok || len(cond.Call.Args) != 2 {
			continue
		}
		x, y := cond.Call.Args[0], cond.Call.Args[1]
		var succ int // the way that says t is not before m
		var m ssa.Value
		switch name := CalleeName(cond); {
		case name == "(time.Time).Before" && x == t:
			succ, m = 1, y
		case name == "(time.Time).After" && y == t:
			succ, m = 1, x
		case name == "(time.Time).After" && x == t:
			succ, m = 0, y
		default:
			continue
		}
		taken := b == from && b.Succs[succ] == to && b.Succs[1-succ] != to || b != from && b.Succs[succ].Dominates(from)
		if taken {
			return e.lead(m, base, at, f, depth+1)
		}
	}
	return 0, false
}
