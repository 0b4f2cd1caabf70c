package kvttl

import (
	"go/constant"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/ssa"

	"github.com/kvlint/kvlint/analyzers/kvapi"
)

// A nowValue is a Unix time in unit, computed from a time.Time; when that
// time is time.Now() plus a known amount, fromNow and known are set and
// offset is the amount in seconds.
type nowValue struct {
	unit         string           // "s", "ms", "µs" or "ns"
	offset       float64          // seconds ahead of now; valid when known
	fromNow      bool             // whether the time is time.Now() plus something
	known        bool             // whether offset is known at compile time
	free         []*ssa.Parameter // the parameters an unknown offset depends on
	call         *ssa.Call        // the Unix/UnixMilli/... call
	scale        *ssa.BinOp       // the "* 1000" that made it milliseconds
	offsetInUnit bool             // an offset was added in unit, as in UnixMilli() + 60_000
	rescaled     bool             // the unit was changed by other arithmetic, as in UnixNano() / 1e6
}

var unixMethods = map[string]string{"Unix": "s", "UnixMilli": "ms", "UnixMicro": "µs", "UnixNano": "ns"}
var perSecond = map[string]float64{"s": 1, "ms": 1e3, "µs": 1e6, "ns": 1e9}

// unitOf returns the unit that counts rate per second, or "".
func unitOf(rate float64) string {
	for unit, r := range perSecond {
		if r == rate {
			return unit
		}
	}
	return ""
}

// nowBased recognises time.Now().Add(d).Unix(), time.Now().Unix() + n,
// time.Now().UnixMilli(), time.Now().Unix() * 1000, and conversions of
// them, with d and n evaluated in frame f.
func nowBased(m *kvapi.Result, v ssa.Value, f *kvapi.Frame) *nowValue {
	return nowBasedDepth(m, v, f, 0)
}

func nowBasedDepth(m *kvapi.Result, v ssa.Value, f *kvapi.Frame, depth int) *nowValue {
	if depth > 8 {
		return nil
	}
	switch v := v.(type) {
	case *ssa.Convert:
		return nowBasedDepth(m, v.X, f, depth+1)
	case *ssa.ChangeType:
		return nowBasedDepth(m, v.X, f, depth+1)
	case *ssa.Call:
		unit, ok := unixMethods[timeMethod(v)]
		if !ok {
			return nil
		}
		t := &nowValue{unit: unit, known: true, fromNow: true, call: v}
		if !timeOffset(m, v.Call.Args[0], f, t, 0) {
			t.fromNow, t.known = false, false // some other time: only its unit is known
		}
		return t
	case *ssa.Phi:
		// A time chosen on each branch, all from the clock in one unit:
		// the nearest one known (now+30 where a 429 gets now+300).
		var nearest *nowValue
		for _, e := range v.Edges {
			t := nowBasedDepth(m, e, f, depth+1)
			if t == nil || nearest != nil && t.unit != nearest.unit {
				return nil
			}
			if nearest == nil || t.known && (!nearest.known || t.offset < nearest.offset) {
				nearest = t
			}
		}
		return nearest
	case *ssa.UnOp:
		// Through a variable or a field set once: inv.ExpiresAt = t.UnixMilli().
		if stored := m.StoredValues(v); v.Op == token.MUL && len(stored) == 1 {
			return nowBasedDepth(m, stored[0], f, depth+1)
		}
	case *ssa.BinOp:
		switch v.Op {
		case token.ADD, token.SUB:
			if nowBasedDepth(m, v.X, f, depth+1) != nil && nowBasedDepth(m, v.Y, f, depth+1) != nil {
				return nil // a difference of two times is a duration
			}
			t, n := nowBasedDepth(m, v.X, f, depth+1), v.Y
			if t == nil && v.Op == token.ADD {
				t, n = nowBasedDepth(m, v.Y, f, depth+1), v.X
			}
			if t == nil {
				return nil
			}
			out := *t
			out.offsetInUnit = true
			out.add(m, n, f, 1/perSecond[t.unit], v.Op == token.SUB)
			return &out
		case token.MUL, token.QUO:
			// A change of unit: time.Now().Unix() * 1000, UnixNano() / 1e6.
			t, n := nowBasedDepth(m, v.X, f, depth+1), v.Y
			if t == nil && v.Op == token.MUL {
				t, n = nowBasedDepth(m, v.Y, f, depth+1), v.X
			}
			c := m.Constant(n)
			if t == nil || c == nil {
				return nil
			}
			k, _ := constant.Float64Val(c)
			rate := perSecond[t.unit]
			if v.Op == token.MUL {
				rate *= k
			} else if k != 0 {
				rate /= k
			}
			out := *t
			if out.unit = unitOf(rate); out.unit == "" {
				return nil // time.Now().Unix() / 60 counts minutes: a bucket, not a time
			}
			if v.Op == token.MUL && t.unit == "s" && k == 1000 && t.scale == nil && !t.rescaled {
				out.scale = v
			} else {
				out.scale, out.rescaled = nil, true
			}
			return &out
		}
	}
	return nil
}

// timeOffset adds to t how far ahead of time.Now() the time.Time tv is,
// and reports whether tv comes from time.Now(), or a clock kept in a
// field, at all.
func timeOffset(m *kvapi.Result, tv ssa.Value, f *kvapi.Frame, t *nowValue, depth int) bool {
	if depth > 8 {
		return false
	}
	if param, ok := tv.(*ssa.Parameter); ok {
		// A time passed to a wrapper: its callers say what it is.
		arg, outer, ok := f.Bound(param)
		if !ok {
			t.free = append(t.free, param)
			return false
		}
		return timeOffset(m, arg, outer, t, depth+1)
	}
	if load, ok := tv.(*ssa.UnOp); ok && load.Op == token.MUL {
		// A time kept in a variable or a record's field set once: rec.Until.
		if stored := m.StoredValues(load); len(stored) == 1 {
			return timeOffset(m, stored[0], f, t, depth+1)
		}
		if scheduledTime(load) {
			return true
		}
	}
	if to := m.PointedTo(tv); to != nil {
		return timeOffset(m, to, f, t, depth+1) // units.Ptr(now.Add(d))
	}
	call, isCall := tv.(*ssa.Call)
	if !isCall {
		return false
	}
	callee := call.Call.StaticCallee()
	if callee == nil {
		return kvapi.Clock(call) // s.now(), clock.Now()
	}
	if !inTime(callee) {
		return false
	}
	switch timeMethod(call) {
	case "Add":
		if !timeOffset(m, call.Call.Args[0], f, t, depth+1) {
			return false
		}
		t.add(m, call.Call.Args[1], f, 1e-9, false)
		return true
	case "UTC", "Local", "In":
		return timeOffset(m, call.Call.Args[0], f, t, depth+1)
	}
	return callee.Name() == "Now" && callee.Signature.Recv() == nil
}

// add adds n, evaluated in f and scaled to seconds, to the offset.
func (t *nowValue) add(m *kvapi.Result, n ssa.Value, f *kvapi.Frame, scale float64, negate bool) {
	vals, free := m.Eval(n, f)
	if len(vals) != 1 {
		t.known = false
		t.free = append(t.free, free...)
		return
	}
	x, _ := constant.Float64Val(vals[0])
	if negate {
		x = -x
	}
	t.offset += x * scale
}

// timeMethod returns the name of the time.Time method that call calls, or "".
func timeMethod(call *ssa.Call) string {
	callee := call.Call.StaticCallee()
	if callee == nil || callee.Signature.Recv() == nil || !inTime(callee) {
		return ""
	}
	if callee.Signature.Recv().Type().String() != "time.Time" {
		return ""
	}
	return callee.Name()
}

func inTime(fn *ssa.Function) bool {
	obj := fn.Object()
	return obj != nil && obj.Pkg() != nil && obj.Pkg().Path() == "time"
}

// termNow is nowBased for a wrapper elsewhere: it recognises a Unix time
// in the wrapper's Term, int(at.Unix()) or time.Now().Add(ttl).Unix(),
// with the times and amounts that the caller passes bound to args, in
// frame f.
func termNow(m *kvapi.Result, t *kvapi.Term, args []ssa.Value, f *kvapi.Frame, depth int) *nowValue {
	if depth > 8 {
		return nil
	}
	switch t.Op {
	case kvapi.TermConvert, kvapi.TermPhi:
		if len(t.Args) == 1 {
			return termNow(m, t.Args[0], args, f, depth+1)
		}
	case kvapi.TermCall:
		unit, ok := unixMethods[strings.TrimPrefix(t.Name, "(time.Time).")]
		if !ok || !strings.HasPrefix(t.Name, "(time.Time).") || len(t.Args) != 1 {
			return nil
		}
		out := &nowValue{unit: unit, known: true, fromNow: true}
		if !termTime(m, t.Args[0], args, f, out, depth+1) {
			out.fromNow, out.known = false, false
		}
		return out
	case kvapi.TermBinOp:
		if t.Tok != token.ADD && t.Tok != token.SUB {
			return nil
		}
		out := termNow(m, t.Args[0], args, f, depth+1)
		if out == nil {
			return nil
		}
		amount := t.Args[1]
		vals, free := m.EvalSource(kvapi.Source{Term: amount, Args: args}, f)
		switch {
		case len(vals) != 1:
			out.known = false
			out.free = append(out.free, free...)
		default:
			x, _ := constant.Float64Val(vals[0])
			if t.Tok == token.SUB {
				x = -x
			}
			out.offset += x / perSecond[out.unit]
		}
		return out
	}
	return nil
}

// termTime adds to t how far ahead of time.Now() the time that term tt
// computes is, and reports whether it comes from time.Now() at all.
func termTime(m *kvapi.Result, tt *kvapi.Term, args []ssa.Value, f *kvapi.Frame, t *nowValue, depth int) bool {
	if depth > 8 {
		return false
	}
	switch tt.Op {
	case kvapi.TermParam:
		if tt.Index < len(args) {
			return timeOffset(m, args[tt.Index], f, t, depth+1)
		}
	case kvapi.TermField:
		// A time in the options a caller built: one value, to be known.
		if len(tt.Args) == 1 && tt.Args[0].Op == kvapi.TermParam && tt.Args[0].Index < len(args) {
			vals, frames, unbound, _ := m.FieldValues(args[tt.Args[0].Index], tt.Name, f)
			if unbound != nil {
				t.free = append(t.free, unbound) // its callers say what it is
			}
			return len(vals) == 1 && timeOffset(m, vals[0], frames[0], t, depth+1)
		}
	case kvapi.TermCall:
		switch {
		case tt.Name == "time.Now":
			return true
		case (tt.Name == "(time.Time).UTC" || tt.Name == "(time.Time).Local") && len(tt.Args) == 1:
			return termTime(m, tt.Args[0], args, f, t, depth+1)
		case tt.Name == "(time.Time).Add" && len(tt.Args) == 2:
			if !termTime(m, tt.Args[0], args, f, t, depth+1) {
				return false
			}
			vals, free := m.EvalSource(kvapi.Source{Term: tt.Args[1], Args: args}, f)
			if len(vals) != 1 {
				t.known = false
				t.free = append(t.free, free...)
				return true
			}
			d, _ := constant.Float64Val(vals[0])
			t.offset += d / 1e9
			return true
		}
	}
	return false
}

// checkPassedTime checks an expiration that a wrapper takes as a number
// and its callers compute from the clock, PutAt(key, v, time.Now().Unix()+45):
// in a unit other than seconds, or less than the minimum ahead. Constant
// timestamps passed the same way are checked with the other values.
func (p *pass) checkPassedTime(op *kvapi.Op, src kvapi.Source) {
	eval := func(f *kvapi.Frame) ([]constant.Value, []*ssa.Parameter) {
		t, free := p.passedTime(src, f)
		switch {
		case t == nil:
			return nil, free
		case t.unit != "s":
			return []constant.Value{constant.MakeString(t.unit)}, nil
		case !t.fromNow || !t.known:
			return nil, t.free
		}
		return []constant.Value{constant.MakeFloat64(t.offset)}, nil
	}
	for _, b := range p.bindings(op, src, eval) {
		for _, c := range b.vals {
			if c.Kind() == constant.String {
				b.report(p, nil, "Expiration%s is in seconds since the Unix epoch, but this is a Unix time in %s: %s", b.via, constant.StringVal(c), expirationUnitWhy)
			} else {
				secs, _ := constant.Float64Val(c)
				p.checkAhead(b, secs)
			}
		}
	}
}

// passedField returns the parameter and field that t reads, converted or
// not: float64(opts.Expiration) is (float (Expiration $3)).
func passedField(t *kvapi.Term) (index int, name string, ok bool) {
	for (t.Op == kvapi.TermConvert || t.Op == kvapi.TermPhi) && len(t.Args) == 1 {
		t = t.Args[0]
	}
	if t.Op != kvapi.TermField || len(t.Args) != 1 || t.Args[0].Op != kvapi.TermParam {
		return 0, "", false
	}
	return t.Args[0].Index, t.Name, true
}

// paramField returns the struct parameter, or the copy of one, that v
// reads a field of, and the field's name: opts.Expiration.
func paramField(v ssa.Value) (x ssa.Value, name string, ok bool) {
	var st types.Type
	switch v := v.(type) {
	case *ssa.Field:
		x, st = v.X, v.X.Type()
		name = fieldName(st, v.Field)
	case *ssa.UnOp:
		fa, isField := v.X.(*ssa.FieldAddr)
		if !isField || v.Op != token.MUL {
			return nil, "", false
		}
		x = fa.X
		if ptr, isPtr := fa.X.Type().Underlying().(*types.Pointer); isPtr {
			name = fieldName(ptr.Elem(), fa.Field)
		}
		if alloc, isAlloc := fa.X.(*ssa.Alloc); isAlloc {
			// A copy of the caller's options, completed here.
			if p := kvapi.CopyOf(alloc, name); p != nil {
				x = p
			} else {
				return nil, "", false
			}
		}
	default:
		return nil, "", false
	}
	return x, name, name != ""
}

// fieldName names field i of the struct st.
func fieldName(st types.Type, i int) string {
	s, ok := st.Underlying().(*types.Struct)
	if !ok || i >= s.NumFields() {
		return ""
	}
	return s.Field(i).Name()
}

// passedTime follows src back through the parameters that pass it on, in
// frame f, to a Unix time computed from a time.Time. Otherwise it returns
// the parameter it ends at, if f does not bind it.
func (p *pass) passedTime(src kvapi.Source, f *kvapi.Frame) (*nowValue, []*ssa.Parameter) {
	v := src.Value
	if src.Term != nil {
		if i, name, ok := passedField(src.Term); ok && i < len(src.Args) {
			// A field of the options a caller built: (Expiration $3).
			vals, frames, unbound, _ := p.model.FieldValues(src.Args[i], name, f)
			if unbound != nil {
				return nil, []*ssa.Parameter{unbound}
			}
			if len(vals) != 1 {
				return nil, nil
			}
			return nowBased(p.model, vals[0], frames[0]), nil
		}
		i, ok := src.Term.Passed()
		if !ok || i >= len(src.Args) {
			return nil, nil
		}
		v = src.Args[i]
	} else if f == nil {
		// At the operation itself a computed time is checked already:
		// only one passed in through a parameter is new here.
		_, isParam := kvapi.Unconverted(v).(*ssa.Parameter)
		if _, _, isField := paramField(kvapi.Unconverted(v)); !isParam && !isField {
			return nil, nil
		}
	}
	for depth := 0; depth < 8; depth++ {
		if x, name, ok := paramField(kvapi.Unconverted(v)); ok {
			// float64(opts.Expiration), of the options a caller built.
			vals, frames, unbound, _ := p.model.FieldValues(x, name, f)
			if unbound != nil {
				return nil, []*ssa.Parameter{unbound}
			}
			if len(vals) != 1 {
				return nil, nil
			}
			v, f = vals[0], frames[0]
			continue
		}
		param, ok := kvapi.Unconverted(v).(*ssa.Parameter)
		if !ok {
			return nowBased(p.model, v, f), nil
		}
		arg, outer, ok := f.Bound(param)
		if !ok {
			return nil, []*ssa.Parameter{param}
		}
		v, f = arg, outer
	}
	return nil, nil
}

// clockAsIs reports whether tv is the time now, with no offset:
// time.Now(), time.Now().UTC(), ev.ScheduledTime.
func clockAsIs(m *kvapi.Result, tv ssa.Value) bool {
	t := &nowValue{known: true}
	return timeOffset(m, tv, nil, t, 0) && t.known && t.offset == 0
}

// scheduledTime reports whether v reads the ScheduledTime of syumai's
// cron.Event: the Worker's scheduled handler runs when it fires, so an
// expiration counted from it is counted from now. (It is no clock for a
// difference with time.Now(), a countdown to the next tick.)
func scheduledTime(v ssa.Value) bool {
	field := kvapi.FieldRead(v)
	return field != nil && field.Name() == "ScheduledTime" && field.Pkg() != nil && field.Pkg().Path() == "github.com/syumai/workers/cloudflare/cron"
}
