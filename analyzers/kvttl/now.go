package kvttl

import (
	"go/constant"
	"go/token"

	"golang.org/x/tools/go/ssa"

	"github.com/kvlint/kvlint/analyzers/kvapi"
)

// A nowValue is an integer computed from time.Now(): a Unix time in unit,
// offset seconds ahead of now when known.
type nowValue struct {
	unit         string     // "s", "ms", "µs" or "ns"
	offset       float64    // seconds ahead of now; valid when known
	known        bool       // whether offset is known at compile time
	call         *ssa.Call  // the Unix/UnixMilli/... call
	scale        *ssa.BinOp // the "* 1000" that made it milliseconds
	offsetInUnit bool       // an offset was added in unit, as in UnixMilli() + 60_000
}

var unixMethods = map[string]string{"Unix": "s", "UnixMilli": "ms", "UnixMicro": "µs", "UnixNano": "ns"}
var perSecond = map[string]float64{"s": 1, "ms": 1e3, "µs": 1e6, "ns": 1e9}

// nowBased recognises time.Now().Add(d).Unix(), time.Now().Unix() + n,
// time.Now().UnixMilli(), time.Now().Unix() * 1000, and conversions of them.
func nowBased(v ssa.Value) *nowValue {
	return nowBasedDepth(v, 0)
}

func nowBasedDepth(v ssa.Value, depth int) *nowValue {
	if depth > 8 {
		return nil
	}
	switch v := v.(type) {
	case *ssa.Convert:
		return nowBasedDepth(v.X, depth+1)
	case *ssa.ChangeType:
		return nowBasedDepth(v.X, depth+1)
	case *ssa.Call:
		unit, ok := unixMethods[timeMethod(v)]
		if !ok {
			return nil
		}
		offset, known, ok := timeOffset(v.Call.Args[0], 0)
		if !ok {
			return nil
		}
		return &nowValue{unit: unit, offset: offset, known: known, call: v}
	case *ssa.BinOp:
		switch v.Op {
		case token.ADD, token.SUB:
			t, n := nowBasedDepth(v.X, depth+1), v.Y
			if t == nil && v.Op == token.ADD {
				t, n = nowBasedDepth(v.Y, depth+1), v.X
			}
			if t == nil {
				return nil
			}
			out := *t
			out.offsetInUnit = true
			c := kvapi.Constant(n)
			if c == nil {
				out.known = false
				return &out
			}
			f, _ := constant.Float64Val(c)
			if v.Op == token.SUB {
				f = -f
			}
			out.offset += f / perSecond[t.unit]
			return &out
		case token.MUL:
			t, n := nowBasedDepth(v.X, depth+1), v.Y
			if t == nil {
				t, n = nowBasedDepth(v.Y, depth+1), v.X
			}
			if t == nil || t.unit != "s" {
				return t
			}
			if c := kvapi.Constant(n); c != nil {
				if f, _ := constant.Float64Val(c); f == 1000 {
					out := *t
					out.unit, out.scale = "ms", v
					return &out
				}
			}
		}
	}
	return nil
}

// timeOffset returns how far ahead of time.Now() the time.Time t is, in
// seconds: known is false when t is now plus a run-time duration, and ok
// is false when t does not come from time.Now() at all.
func timeOffset(t ssa.Value, depth int) (offset float64, known, ok bool) {
	call, isCall := t.(*ssa.Call)
	if !isCall || depth > 8 {
		return 0, false, false
	}
	callee := call.Call.StaticCallee()
	if callee == nil || !inTime(callee) {
		return 0, false, false
	}
	switch timeMethod(call) {
	case "Add":
		offset, known, ok = timeOffset(call.Call.Args[0], depth+1)
		if !ok {
			return 0, false, false
		}
		d := kvapi.Constant(call.Call.Args[1])
		if d == nil {
			return 0, false, true
		}
		ns, _ := constant.Float64Val(d)
		return offset + ns/1e9, known, true
	case "UTC", "Local", "In":
		return timeOffset(call.Call.Args[0], depth+1)
	}
	if callee.Name() == "Now" && callee.Signature.Recv() == nil {
		return 0, true, true
	}
	return 0, false, false
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
