package kvrace

// Check-then-set: a get whose value decides whether this request may take
// the key, then a put of this request's own value there:
//
//	cur, err := get(ctx, "lease/"+job)
//	if err == nil && cur.Holder != me && now.Before(cur.Until) {
//		return ErrHeld
//	}
//	return put(ctx, "lease/"+job, record{Holder: me, Until: now.Add(hold)})
//
// A lease, a lock or a reservation: two requests can both find the key
// free or expired and both write it. The value read is only looked at,
// never handed on: a read-through cache returns it.

import (
	"go/token"
	"slices"

	"golang.org/x/tools/go/ssa"

	"github.com/kvlint/kvlint/analyzers/kvapi"
)

// heldCheckOf returns the get of the put's key whose value only decides
// whether to refuse before the put, or nil; swap says whether it did so
// by holding the value against the one the caller expects.
func heldCheckOf(model *kvapi.Result, put *kvapi.Op) (get *kvapi.Op, swap bool) {
	if marker(model, put) {
		return nil, false // a constant or the time: something happened, nobody holds it
	}
	fn := put.Call.Parent()
	for _, get := range model.GetsOf(put) {
		reads := get.Results()
		if get.Call.Parent() != fn || len(reads) == 0 || !kvapi.Before(get.Call, put.Call) {
			continue
		}
		if handedOn(model, fn, reads) || writesRead(model, put, reads) {
			continue
		}
		if refusesOnValue(model, get, reads, put) {
			return get, false
		}
		if swapsOnValue(model, reads, put) {
			return get, true
		}
	}
	return nil, false
}

// swapsOnValue reports whether the put follows only where what the get
// read equals a value the caller gives (cur == old: what the caller saw
// before), and a refusal where it does not: a compare-and-swap made of a
// get and a put, which two callers can both pass. (Where the put follows
// a difference, the write is skipped when nothing changed.)
func swapsOnValue(model *kvapi.Result, reads []ssa.Value, put *kvapi.Op) bool {
	fn, putBlock := put.Call.Parent(), put.Call.Block()
	for _, b := range fn.Blocks {
		br, ok := b.Instrs[len(b.Instrs)-1].(*ssa.If)
		if !ok {
			continue
		}
		bin, ok := br.Cond.(*ssa.BinOp)
		if !ok || bin.Op != token.EQL && bin.Op != token.NEQ || kvapi.IsError(bin.X.Type()) {
			continue
		}
		read, expected := bin.X, bin.Y
		if !model.DependsOn(read, br, reads) {
			read, expected = expected, read
		}
		if !model.DependsOn(read, br, reads) || !givenBy(fn, expected) {
			continue
		}
		equal, differs := b.Succs[0], b.Succs[1]
		if bin.Op == token.NEQ {
			equal, differs = differs, equal
		}
		if len(equal.Preds) == 1 && equal.Dominates(putBlock) && !kvapi.Reaches(differs, putBlock) && kvapi.Refuses(differs) {
			return true
		}
	}
	return false
}

// givenBy reports whether v is what fn's caller gives, other than the
// receiver: a parameter, or a field of one (item.CasID of the item the
// caller got before).
func givenBy(fn *ssa.Function, v ssa.Value) bool {
	switch v := kvapi.Unconverted(v).(type) {
	case *ssa.Parameter:
		return !kvapi.IsReceiver(v) && v.Parent() == fn
	case *ssa.Field:
		return givenBy(fn, v.X)
	case *ssa.UnOp:
		if fa, ok := v.X.(*ssa.FieldAddr); ok && v.Op == token.MUL {
			return givenBy(fn, fa.X)
		}
	}
	return false
}

// handedOn reports whether fn returns something computed from reads,
// other than an error: the value read is used, as a cache's is. (The
// holder returned with a refusal, return h, ErrTaken, says who holds it.)
func handedOn(model *kvapi.Result, fn *ssa.Function, reads []ssa.Value) bool {
	for _, b := range fn.Blocks {
		ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
		if !ok || refusal(ret) {
			continue
		}
		for _, v := range ret.Results {
			if !kvapi.IsError(v.Type()) && model.DependsOn(v, ret, reads) {
				return true
			}
		}
	}
	return false
}

// refusal reports whether ret returns an error that is surely not nil: a
// sentinel (ErrTaken), one made there, or a value of an error type.
func refusal(ret *ssa.Return) bool {
	return slices.ContainsFunc(ret.Results, func(v ssa.Value) bool { return kvapi.IsError(v.Type()) && kvapi.NeverNilError(v) })
}

// refusesOnValue reports whether a branch on a field of what the get
// read, held against what the put writes or the clock (cur.Holder != me,
// now.Before(cur.Until)), refuses on one side, where the put cannot
// follow, and leads to the put on the other. (A bare presence test is
// claimOf's.)
func refusesOnValue(model *kvapi.Result, get *kvapi.Op, reads []ssa.Value, put *kvapi.Op) bool {
	fn, putBlock := put.Call.Parent(), put.Call.Block()
	// A side that waits and looks again (a lock's poll) refuses this look
	// as plainly as one that returns an error.
	reread := retried(model, get)
	for _, b := range fn.Blocks {
		br, ok := b.Instrs[len(b.Instrs)-1].(*ssa.If)
		if !ok || errorTest(br.Cond) || !readsField(br.Cond, 0, func(x ssa.Value) bool { return model.DependsOn(x, br, reads) }) || !againstMine(model, br.Cond, put, 0) {
			continue
		}
		for i, succ := range b.Succs {
			other := b.Succs[1-i]
			if (other == putBlock || reachesAvoiding(other, putBlock, nil, reread)) && succ != putBlock && !reachesAvoiding(succ, putBlock, nil, reread) && (kvapi.Refuses(succ) || reread != nil && kvapi.Reaches(succ, reread)) {
				return true
			}
		}
	}
	return false
}

// writesRead reports whether the put writes something computed from the
// value read: a write-back, which ReadOf judges.
func writesRead(model *kvapi.Result, put *kvapi.Op, reads []ssa.Value) bool {
	for _, src := range put.Sources(kvapi.Value) {
		if model.DependsOnAny(src.Inputs(), put.Call, reads) {
			return true
		}
	}
	return false
}

// errorTest reports whether cond tests an error: err != nil, errors.Is.
func errorTest(cond ssa.Value) bool {
	switch cond := cond.(type) {
	case *ssa.BinOp:
		return kvapi.IsError(cond.X.Type()) || kvapi.IsError(cond.Y.Type())
	case *ssa.Call:
		return slices.ContainsFunc(cond.Call.Args, func(a ssa.Value) bool { return kvapi.IsError(a.Type()) })
	case *ssa.UnOp:
		return errorTest(cond.X)
	}
	return false
}

// readsField reports whether cond is computed from a field of a struct
// that read says was read: cur.Holder != me, now.Before(cur.Until); not
// the stored value itself held against a field of something else (an
// upstream's res.Header, etag == prev: a write only when it changed).
func readsField(v ssa.Value, depth int, read func(ssa.Value) bool) bool {
	if depth > 3 {
		return false
	}
	switch v := v.(type) {
	case *ssa.Field:
		return read(v.X)
	case *ssa.UnOp:
		if fa, ok := v.X.(*ssa.FieldAddr); ok && v.Op == token.MUL {
			return read(fa.X)
		}
		return readsField(v.X, depth+1, read)
	case *ssa.BinOp:
		return readsField(v.X, depth+1, read) || readsField(v.Y, depth+1, read)
	case *ssa.Call:
		return slices.ContainsFunc(v.Call.Args, func(a ssa.Value) bool { return readsField(a, depth+1, read) })
	}
	return false
}

// againstMine reports whether cond compares with the clock, or with
// something the put writes too (me in cur.Holder != me, record{Holder:
// me}): a test of who holds the key, not of a setting (cur.Locked).
func againstMine(model *kvapi.Result, cond ssa.Value, put *kvapi.Op, depth int) bool {
	if depth > 3 {
		return false
	}
	switch v := cond.(type) {
	case *ssa.BinOp:
		return againstMine(model, v.X, put, depth+1) || againstMine(model, v.Y, put, depth+1)
	case *ssa.UnOp:
		if v.Op == token.NOT {
			return againstMine(model, v.X, put, depth+1)
		}
		return writtenToo(model, v, put)
	case *ssa.Call:
		if kvapi.Clock(v) {
			return true
		}
		if name := kvapi.CalleeName(v); name == "time.Since" || name == "time.Until" {
			return true // the holder's age: time.Since(cur.Acquired) < stale
		}
		return slices.ContainsFunc(v.Call.Args, func(a ssa.Value) bool { return againstMine(model, a, put, depth+1) })
	case *ssa.Parameter:
		// cur.Holder != user, and the put writes Lock{Holder: user}.
		for _, src := range put.Sources(kvapi.Value) {
			if model.DependsOnAny(src.Inputs(), put.Call, []ssa.Value{v}) {
				return true
			}
		}
	}
	return false
}

// writtenToo reports whether the put writes what load reads: the same
// field of the same struct (l.holder), loaded again for the write.
func writtenToo(model *kvapi.Result, load *ssa.UnOp, put *kvapi.Op) bool {
	fa, ok := load.X.(*ssa.FieldAddr)
	if !ok {
		return false
	}
	for _, src := range put.Sources(kvapi.Value) {
		for _, in := range src.Inputs() {
			if model.Backward(in, put.Call, func(s kvapi.Step) bool {
				other, ok := s.Value.(*ssa.FieldAddr)
				return ok && other.X == fa.X && other.Field == fa.Field
			}) {
				return true
			}
		}
	}
	return false
}
