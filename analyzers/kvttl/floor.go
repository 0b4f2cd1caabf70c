package kvttl

import (
	"fmt"
	"go/token"
	"slices"
	"time"

	"golang.org/x/tools/go/ssa"

	"github.com/kvlint/kvlint/analyzers/kvapi"
)

// outsideWrappers reports whether pos is outside the wrappers of frame: a clamp
// written by the caller of a wrapper (ttl := max(2*window,
// 10*time.Second); w.save(key, v, ttl)), or by a policy it asks
// (p.TTL(h, now)), not one a wrapper applies to what each caller gives.
func outsideWrappers(frame *kvapi.Frame, pos token.Pos) bool {
	for f := frame; f != nil; f = f.Outer {
		if syntax := f.Fn.Syntax(); syntax != nil && syntax.Pos() <= pos && pos < syntax.End() {
			return false // a wrapper's own clamp, on its callers' way
		}
	}
	return true
}

// checkFloor checks a lifetime computed at run time: one counted down to
// a moment, time.Until(t) or t.Sub(now), that nothing keeps at or above
// the minimum, and a clamp whose own floor is below it. Values known at
// compile time are checkTTL's.
func (p *pass) checkFloor(op *kvapi.Op, src kvapi.Source, o kvapi.Operand, min int) {
	if src.Term != nil && !src.Term.Params() {
		return // computed inside a wrapper elsewhere, and checked there
	}
	at := op.Call.Block()
	perSecond := 1.0
	if src.Duration {
		perSecond = 1e9
	}
	// A cap below the minimum (min(wait, 30*time.Second)) rejects every
	// positive lifetime it lets through.
	capped := func(bound kvapi.Bound) bool {
		return bound.Ceiled && bound.Ceiling > 0 && bound.Ceiling/perSecond < float64(min)
	}
	// A margin taken off a lifetime given at run time (expires_in less a
	// skew) with no floor after it: one before it (expires_in > 0) leaves
	// nothing above zero.
	reduced := func(bound kvapi.Bound) bool {
		return bound.Reduced && (!bound.Clamped || bound.Floor <= 0) && !bound.Countdown && (!bound.Floored || bound.Floor/perSecond < float64(min))
	}
	// What the sender of a request or a command asks for, with no floor
	// under it ("/skip daily 30s" checked only for d > 0).
	given := func(bound kvapi.Bound) bool {
		coarse := bound.Step > 0 && bound.Step/perSecond >= float64(min) // days*24*time.Hour
		return bound.Given && !bound.Countdown && !coarse && (!bound.Floored || bound.Floor/perSecond < float64(min))
	}
	reportable := func(bound kvapi.Bound) bool {
		low := bound.Floored && bound.Floor/perSecond < float64(min)
		return bound.Countdown && low || low && (bound.Clamped || bound.Jittered) && bound.Floor > 0 || capped(bound)
	}
	if src.Term != nil {
		// Reported inside the wrapper when its arguments play no part.
		inside := src
		inside.Args = nil
		if bound, _ := p.model.SourceBound(inside, at, nil); reportable(bound) {
			return
		}
	}
	var walk func(b binding, depth int)
	walk = func(b binding, depth int) {
		if !p.reachable(op, b.frame) || !p.model.ReachableSource(src, b.frame) {
			return
		}
		bound, free := p.model.SourceBound(src, at, b.frame)
		switch {
		case reduced(bound) && !slices.ContainsFunc(free, func(param *ssa.Parameter) bool { return len(p.model.CallSites(param.Parent())) > 0 }):
			// (Where callers give what it is taken off, each call is
			// judged with what it gives.)
			b.report(p, nil, "%s%s is a lifetime known only at run time less a fixed margin, and nothing keeps it at %d seconds or more: a short lifetime leaves it below %s, or below zero, and %s; clamp it, as max(ttl, time.Minute), or skip the put",
				o, b.via, min, minimumPhrase(o, min), rejection(o, min))
			return
		case !reportable(bound) && given(bound) && !slices.ContainsFunc(free, func(param *ssa.Parameter) bool { return len(p.model.CallSites(param.Parent())) > 0 }):
			b.report(p, nil, "%s%s is what the sender of the request asks for, read at run time, and nothing keeps it at %d seconds or more: asked for less than %s, %s; clamp it, as max(ttl, time.Minute), or refuse shorter ones",
				o, b.via, min, minimumPhrase(o, min), rejection(o, min))
			return
		case !reportable(bound):
		case bound.Countdown && bound.Floor <= 0:
			if pos := p.model.RecordCountdown(src, b.frame); pos.IsValid() {
				b.pos, b.end = pos, pos // Save(ctx, st, slot): slot.TTL() counts down
			} else if pos := p.countdownAt(b.value, b.pos); pos.IsValid() {
				b.pos, b.end = pos, pos // the one case of a switch that counts down
			} else if pos := p.storedCountdown(b.value); pos.IsValid() {
				b.pos, b.end = pos, pos // the one literal of a policy field that counts down
			}
			b.report(p, nil, "%s", countdownMessage(o, b.via, min))
			return
		case capped(bound):
			b.report(p, nil, "%s%s is capped at %s, below %s: %s; cap it at a minute or more, or skip the put",
				o, b.via, time.Duration(bound.Ceiling/perSecond*1e9), minimumPhrase(o, min), rejection(o, min))
			return
		default:
			if bound.ClampPos.IsValid() && (b.frame == nil || outsideWrappers(b.frame, bound.ClampPos)) {
				b.pos, b.end = bound.ClampPos, bound.ClampPos // the clamp, where its floor is written
			}
			limit := broken(o, min, bound.Floor/perSecond)
			b.report(p, nil, "%s%s can be as low as %s, below %s: %s; clamp it to at least a minute",
				o, b.via, time.Duration(bound.Floor/perSecond*1e9), minimumPhrase(o, limit), rejection(o, limit))
			return
		}
		// A floor under a minute (a wrapper's "if ttl > 0") settles
		// nothing: what its callers give may still count down.
		if bound.Floored && bound.Floor/perSecond >= float64(min) || bound.Countdown || len(free) == 0 || depth == maxWrapperDepth {
			return
		}
		for _, param := range free {
			fn := param.Parent()
			for _, call := range p.model.CallSites(fn) {
				next := binding{frame: b.frame.WithCaller(call, fn), pos: call.Pos(), via: " (passed to " + funcName(fn) + ")"}
				if i := slices.Index(fn.Params, param); i >= 0 && i < len(call.Common().Args) {
					next.value = call.Common().Args[i]
				}
				if arg := p.argument(call, fn, param); arg != nil {
					next.pos, next.end, next.arg = arg.Pos(), arg.End(), arg
				}
				walk(next, depth+1)
			}
		}
	}
	walk(p.start(op, src), 0)
}

// countdownMessage says that operand o, given as via says, counts down
// with nothing to hold it at min.
func countdownMessage(o kvapi.Operand, via string, min int) string {
	return fmt.Sprintf("%s%s is counted down to a moment at run time, and nothing keeps it at %d seconds or more: as that moment nears it drops below %s, and %s; clamp it, as max(ttl, time.Minute), or skip the put",
		o, via, min, minimumPhrase(o, min), rejection(o, min))
}

// countdownAt returns where v, reported at at, is counted down when that
// is elsewhere: a variable set on several branches, one of them to a
// countdown (ttl = time.Until(r.ExpiresAt) in one case of a switch whose
// other cases set constants; the put takes them all, the case is where the
// lifetime goes wrong; or a field set so, then lowered, before the put),
// or a countdown made seconds on a line of its own.
func (p *pass) countdownAt(v ssa.Value, at token.Pos) token.Pos {
	converted := token.NoPos // where it is made seconds
	if call, ok := kvapi.Unconverted(v).(*ssa.Call); ok && kvapi.CalleeName(call) == "(time.Duration).Seconds" {
		converted = call.Pos()
	}
	v = lifetime(v)
	if call, ok := v.(*ssa.Call); ok && isCountdown(call) && !tested(call) && converted.IsValid() &&
		p.line(converted) == p.line(call.Pos()) && p.line(call.Pos()) != p.line(at) {
		// Counted down into a variable of seconds first (ttl :=
		// int(time.Until(t).Seconds())), and used as it is: where the
		// lifetime is made. (A Duration handed on is the put's.)
		return call.Pos()
	}
	if rets := p.model.Returned(v); len(rets) == 1 {
		v = lifetime(rets[0]) // key, ttl := slot(o): the switch in slot
	}
	ways := kvapi.StoredBefore(v) // r.holdTTL = time.Until(t), then lowered
	if phi, ok := v.(*ssa.Phi); ok {
		ways = phi.Edges
	}
	found := token.NoPos
	for _, e := range ways {
		call, ok := e.(*ssa.Call)
		if !ok || !isCountdown(call) {
			continue
		}
		if tested(call) {
			return token.NoPos // capped where it is tested: the variable is one lifetime
		}
		if found.IsValid() {
			return token.NoPos // more than one: the put is where they meet
		}
		found = call.Pos()
	}
	return found
}

// storedCountdown returns the one return, among those of the literals
// that the field v is called through is set to (s.grace(h), with grace
// set by each constructor), that counts down with nothing to hold it up.
func (p *pass) storedCountdown(v ssa.Value) token.Pos {
	call, ok := lifetime(v).(*ssa.Call)
	if !ok {
		return token.NoPos
	}
	found := token.NoPos
	for _, fn := range p.model.StoredFuncs(&call.Call) {
		for _, ret := range kvapi.Returns(fn) {
			if len(ret.Results) != 1 {
				continue
			}
			if b, _ := p.model.BoundOf(ret.Results[0], ret.Block(), nil); !b.Countdown || b.Floor > 0 {
				continue
			}
			if found.IsValid() {
				return token.NoPos
			}
			found = ret.Pos()
		}
	}
	return found
}

// lifetime returns the Duration that v makes seconds of:
// int(ttl.Seconds()) and ttl / time.Second are ttl.
func lifetime(v ssa.Value) ssa.Value {
	for {
		switch x := v.(type) {
		case *ssa.Convert:
			v = x.X
			continue
		case *ssa.BinOp:
			if x.Op == token.QUO {
				v = x.X
				continue
			}
		case *ssa.Call:
			if kvapi.CalleeName(x) == "(time.Duration).Seconds" {
				v = x.Call.Args[0]
				continue
			}
		}
		return v
	}
}

// line returns the line of pos.
func (p *pass) line(pos token.Pos) int { return p.fset.Position(pos).Line }

// tested reports whether v is compared with a bound: if ttl <= 0.
func tested(v ssa.Value) bool {
	return slices.ContainsFunc(*v.Referrers(), func(ref ssa.Instruction) bool {
		bin, ok := ref.(*ssa.BinOp)
		return ok && (bin.Op == token.GTR || bin.Op == token.LSS || bin.Op == token.GEQ || bin.Op == token.LEQ)
	})
}

// isCountdown reports whether call counts down to a moment.
func isCountdown(call *ssa.Call) bool {
	return kvapi.CountdownFunc(kvapi.CalleeName(call))
}

// lowClamp reports whether src is clamped, where the operation's function
// computes it, to a floor that is itself below min and above zero:
// max(2*r.probeEvery, 10*time.Second). checkFloor reports the clamp; the
// constants it lets through (2 * 15 s) are the same mistake.
func (p *pass) lowClamp(op *kvapi.Op, src kvapi.Source, min int) bool {
	return p.lowClampOf(src, op.Call.Block(), min)
}

// lowClampOf is lowClamp of src at block at, nil when not known.
func (p *pass) lowClampOf(src kvapi.Source, at *ssa.BasicBlock, min int) bool {
	perSecond := 1.0
	if src.Duration {
		perSecond = 1e9
	}
	inside := src
	inside.Args = nil // the clamp as written, whatever its callers give
	bound, _ := p.model.SourceBound(inside, at, nil)
	return bound.Clamped && bound.Floored && bound.Floor > 0 && bound.Floor/perSecond < float64(min) && !bound.Countdown
}
