package kvhotkey

import (
	_ "embed"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/kvlint/kvlint/analyzers/internal/analysisdoc"
	"github.com/kvlint/kvlint/analyzers/internal/report"
	"github.com/kvlint/kvlint/analyzers/kvapi"
	"github.com/kvlint/kvlint/analyzers/kvcounter"
	"github.com/kvlint/kvlint/analyzers/kvsession"
)

//go:embed doc.go
var doc string

// Analyzer reports writes to one KV key faster than KV allows.
var Analyzer = &analysis.Analyzer{
	Name:       "kvhotkey",
	Doc:        analysisdoc.Extract(doc, "kvhotkey"),
	URL:        "https://github.com/kvlint/kvlint/blob/main/docs/kvhotkey.md",
	Requires:   []*analysis.Analyzer{kvapi.Analyzer, kvcounter.Analyzer, kvsession.Analyzer},
	Run:        run,
	FactTypes:  []analysis.Fact{new(reportedFact)},
	ResultType: reflect.TypeFor[*Result](),
}

// Result lists the puts kvhotkey reported that read their key first (a
// cursor read once, then saved after each event), which kvrace leaves
// alone.
type Result struct {
	Claimed map[ssa.CallInstruction]bool
}

const (
	loopWrites    = "writes the same KV key on every iteration, but KV accepts one write per second per key and refuses the rest with 429: write once after the loop, write distinct keys with a bulk write, or keep the value in a Durable Object"
	requestWrites = "writes the same KV key on every request, but KV accepts one write per second per key and refuses the rest with 429 under load: keep the value in a Durable Object or D1, or write per-request data under distinct keys"
	loopMsg       = "this loop " + loopWrites
	requestMsg    = "this handler " + requestWrites
)

// helperMsg is the message at a helper's own put, for the message at its
// call.
var helperMsg = map[string]string{
	loopMsg:    "this write, called from a loop, " + loopWrites,
	requestMsg: "this write, called from a handler, " + requestWrites,
}

// reportedFact marks a function in which kvhotkey reported a write, so
// that its callers are not told again.
type reportedFact struct{}

func (*reportedFact) AFact()             {}
func (*reportedFact) String() string     { return "kvhotkey" }
func (*reportedFact) ReportedBy() string { return "kvhotkey" }

func run(pass *analysis.Pass) (any, error) {
	model := pass.ResultOf[kvapi.Analyzer].(*kvapi.Result)
	res := &Result{Claimed: make(map[ssa.CallInstruction]bool)}
	if len(model.Ops) == 0 {
		return res, nil
	}
	counted := pass.ResultOf[kvcounter.Analyzer].(*kvcounter.Result).Claimed
	sessions := pass.ResultOf[kvsession.Analyzer].(*kvsession.Result)
	rep := report.New(pass)
	for _, op := range model.InnerFirst() {
		// A wrapper's bulk write of the one pair it is given writes that
		// key: a v0 adapter's WriteWorkersKVEntries, to set a lifetime.
		written := op.Method.Role == kvapi.Put || op.Method.Role == kvapi.BulkPut && onePair(op)
		// Another analyzer's claim is on a call: through a helper that
		// writes several keys, on the write that helper fixes itself.
		at := op.Call
		if inner := innerOf(model, op); inner != op && fixedInside(op) {
			at = inner.Call
		}
		if !written || op.InTest() || counted[at] || sessions.Claimed[at] && !sessions.Judged[at] {
			continue
		}
		readsInside := model.ReadsInside(op)
		if model.ReportedInside(pass, op, new(reportedFact)) {
			continue
		}
		readFirst := false
		if readsInside && op.Wrapped.Fill {
			continue // a read-through cache's fill, once per expiry
		}
		if get := model.ReadOf(op); get != nil && !readsInside {
			// A read-modify-write is kvrace's, unless the key is read once,
			// before a loop that writes it on every run: then the writes
			// are the hotter problem. (A wrapper's own read is reported
			// inside it, at its own line.)
			sameRun := get.Call.Parent() == op.Call.Parent() && !kvapi.Reaches(op.Call.Block(), get.Call.Block()) ||
				// read before the goroutine whose loop writes it
				encloses(get.Call.Parent(), op.Call.Parent()) && kvapi.Around(get.Call.Block()) == nil
			if !sameRun {
				continue
			}
			readFirst = true
		}
		msg := ""
		switch {
		case everyIteration(model, op) && !(op.Wrapped != nil && op.Wrapped.Collapses) && !(readsInside && fromClock(model, op, kvapi.Key) && countsValue(op)):
			// (A unit of work that keeps one write per key makes one,
			// however often the loop stages it. A wrapper's read and
			// write back of a count per minute or per day, under a key
			// made from the clock, is the count's finding, inside it.)
			msg = loopMsg
		case everyRequest(model, op) && !readFirst && !readsInside && !sessions.Judged[at] && !heldBuffer(op):
			// (A write-behind buffer that keeps one write per key sends
			// it once a flush, however many requests stage it.)
			msg = requestMsg
		default:
			continue
		}
		if readFirst {
			res.Claimed[op.Call] = true
		}
		d := analysis.Diagnostic{Pos: op.Pos(), End: op.End(), Message: msg}
		if at := givenInLoop(model, op); msg == loopMsg && at != nil {
			d.Pos, d.End = at.Pos(), at.End() // save(keys.MenuCurrent, v) in the loop
		} else if inner := innerOf(model, op); inner != op && fixedInside(op) {
			// A helper of this package that writes its own constant key
			// (a "latest" marker) is where the write is: say so there.
			d.Pos, d.End = inner.Pos(), inner.End()
			d.Message = helperMsg[msg]
			d.Related = []analysis.RelatedInformation{{Pos: op.Pos(), End: op.End(), Message: "called here"}}
		}
		rep.Report(d)
		if fn, ok := kvapi.Outermost(op.Call.Parent()).Object().(*types.Func); ok {
			pass.ExportObjectFact(fn, new(reportedFact))
		}
		if msg == loopMsg {
			markCallers(pass, model, kvapi.Outermost(op.Call.Parent()))
		}
	}
	rep.Finish()
	return res, nil
}

// markCallers marks the functions of this package that call fn, directly
// or through others, as reported: a write that fn's own loop repeats is
// one finding, not another at each loop that calls fn (a sweep per region
// whose page's matches each write "mm:last_match").
func markCallers(pass *analysis.Pass, model *kvapi.Result, fn *ssa.Function) {
	seen := map[*ssa.Function]bool{fn: true}
	next := []*ssa.Function{fn}
	for depth := 0; depth < 3 && len(next) > 0; depth++ {
		var callers []*ssa.Function
		for _, f := range next {
			for _, call := range model.CallSites(f) {
				caller := kvapi.Outermost(call.Parent())
				if seen[caller] {
					continue
				}
				seen[caller] = true
				callers = append(callers, caller)
				if obj, ok := caller.Object().(*types.Func); ok {
					pass.ExportObjectFact(obj, new(reportedFact))
				}
			}
		}
		next = callers
	}
}

// encloses reports whether fn is inner's enclosing function, or that
// function's.
func encloses(fn, inner *ssa.Function) bool {
	for f := inner.Parent(); f != nil; f = f.Parent() {
		if f == fn {
			return true
		}
	}
	return false
}

// onePair reports whether op, a call of a wrapper's bulk write, writes
// one key its caller names: a key Term made of the wrapper's parameters,
// none of them a slice of pairs, or the key field of the one entry the
// caller builds (Put(ctx, Entry{Key: "health:api"}) sent as a bulk of one).
func onePair(op *kvapi.Op) bool {
	srcs := op.Sources(kvapi.Key)
	return op.Wrapped != nil && len(srcs) > 0 && !slices.ContainsFunc(srcs, func(src kvapi.Source) bool {
		if src.Term == nil {
			return src.Value == nil || element(src.Value)
		}
		return src.Term.Find(func(t *kvapi.Term) bool { return t.Op == kvapi.TermElems }) != nil
	})
}

// element reports whether v is read out of a slice, array or map: one of
// many pairs.
func element(v ssa.Value) bool {
	if load, ok := v.(*ssa.UnOp); ok && load.Op == token.MUL {
		v = load.X
	}
	switch v.(type) {
	case *ssa.IndexAddr, *ssa.Index, *ssa.Lookup:
		return true
	}
	return false
}

// fixedInside reports whether the wrapper op calls fixes the key itself:
// no source of the key depends on what its callers pass, but for what
// a method's receiver holds (d.root's prefix).
func fixedInside(op *kvapi.Op) bool {
	srcs := op.Sources(kvapi.Key)
	method := op.Wrapper != nil && op.Wrapper.Signature().Recv() != nil
	given := func(t *kvapi.Term) bool {
		return t.Find(func(p *kvapi.Term) bool { return p.Op == kvapi.TermParam && !(method && p.Index == 0) }) != nil
	}
	return len(srcs) > 0 && !slices.ContainsFunc(srcs, func(s kvapi.Source) bool { return s.Term == nil || given(s.Term) })
}

// innerOf returns the operation inside op's wrapper, a function of this
// package, that op stands for: the only one of its role there (see
// kvapi.Inside), or the only one whose key has the same constant text;
// through a helper's helper, the one inside that.
func innerOf(model *kvapi.Result, op *kvapi.Op) *kvapi.Op {
	inner := innerOnce(model, op)
	for depth := 0; inner != op && inner.Wrapped != nil && depth < 4; depth++ {
		next := innerOnce(model, inner)
		if next == inner {
			break
		}
		inner = next
	}
	return inner
}

// innerOnce is one step of innerOf: the operation inside op's own wrapper.
func innerOnce(model *kvapi.Result, op *kvapi.Op) *kvapi.Op {
	if inner := model.Inside(op); inner != op {
		return inner
	}
	callee := op.Call.Common().StaticCallee()
	text := keyText(model, op)
	if op.Wrapped == nil || callee == nil || callee.Pkg != op.Call.Parent().Pkg || text == "" {
		return op
	}
	found := op
	for _, in := range model.OpsIn(callee, op.Method.Role) {
		if keyText(model, in) != text {
			continue
		}
		if found != op {
			return op // two writes of that text: not one place to point at
		}
		found = in
	}
	return found
}

// keyText is the constant text of op's key sources, joined.
func keyText(model *kvapi.Result, op *kvapi.Op) string {
	var texts []string
	for _, src := range op.Sources(kvapi.Key) {
		texts = append(texts, model.KeyText(src))
	}
	return strings.Join(texts, "|")
}

// everyIteration reports whether put writes the same key in the same
// namespace on each run of a loop around it that comes back to it, is
// not a retry of the write, and is not paced by a sleep or a ticker.
func everyIteration(model *kvapi.Result, put *kvapi.Op) bool {
	if slices.ContainsFunc(put.Sources(kvapi.Key), kvapi.Source.ManyElems) {
		return false // the pairs of a batch: a key per element
	}
	block := put.Call.Block()
	loop := kvapi.Around(block)
	if loop == nil {
		return calledEveryIteration(model, put)
	}
	hot := func(loop kvapi.Loop) bool {
		return loop.Repeats(block) && !retries(loop, put) && !dispatchesEvent(put, loop) && (!paced(model, loop) || perConnection(model, put)) && !throttled(model, put, loop) && !matchedOnce(model, put, loop) && !everyNth(model, put, loop) &&
			!(put.Wrapped != nil && put.Wrapped.FailsAfter && leaves(loop, block)) &&
			invariant(model, put, kvapi.Key, loop) && invariant(model, put, kvapi.Namespace, loop)
	}
	// A key that differs per site may still be written once per slot of
	// each site, in the loop inside.
	inner := kvapi.Innermost(block)
	return hot(loop) || inner != nil && len(inner) < len(loop) && hot(inner)
}

// dispatchesEvent reports whether put is a call of a helper that writes
// a key fixed inside it, handed an event that the loop receives from a
// channel (for update := range updates { b.handle(ctx, update) }): the
// loop serves one event an iteration, and the helper is judged as a
// handler is.
func dispatchesEvent(put *kvapi.Op, loop kvapi.Loop) bool {
	if !fixedInside(put) {
		return false
	}
	var received func(v ssa.Value) bool
	received = func(v ssa.Value) bool {
		switch x := v.(type) {
		case *ssa.Extract:
			switch t := x.Tuple.(type) {
			case *ssa.Select:
				return x.Index >= 2 && loop[t.Block()]
			case *ssa.UnOp:
				return t.Op == token.ARROW && x.Index == 0 && loop[t.Block()]
			}
		case *ssa.UnOp:
			if alloc, ok := x.X.(*ssa.Alloc); ok && x.Op == token.MUL {
				// A variable the event is kept in: what the loop stores.
				return slices.ContainsFunc(*alloc.Referrers(), func(ref ssa.Instruction) bool {
					st, ok := ref.(*ssa.Store)
					return ok && st.Addr == alloc && loop[st.Block()] && received(st.Val)
				})
			}
			return x.Op == token.ARROW && loop[x.Block()]
		}
		return false
	}
	return slices.ContainsFunc(put.Call.Common().Args, func(a ssa.Value) bool { return received(kvapi.Unconverted(a)) })
}

// matchedOnce reports whether put runs only where an element of what the
// loop walks equals a value, not a constant, that stays the same across
// the loop (if r != paidRole { continue }): the one matching element of
// a search, not every one.
func matchedOnce(model *kvapi.Result, put *kvapi.Op, loop kvapi.Loop) bool {
	for b := put.Call.Block(); b != nil && loop[b] && b != loop.Header(); b = b.Idom() {
		if len(b.Preds) != 1 {
			continue
		}
		br, ok := b.Preds[0].Instrs[len(b.Preds[0].Instrs)-1].(*ssa.If)
		if !ok {
			continue
		}
		cmp, ok := br.Cond.(*ssa.BinOp)
		if !ok || !(cmp.Op == token.EQL && br.Block().Succs[0] == b || cmp.Op == token.NEQ && br.Block().Succs[1] == b) {
			continue
		}
		elem, fixed := cmp.X, cmp.Y
		if !varies(model, elem, loop, 0) {
			elem, fixed = fixed, elem
		}
		_, constant := fixed.(*ssa.Const)
		if !constant && !kvapi.IsError(fixed.Type()) && element(elem) && !varies(model, fixed, loop, 0) {
			return true
		}
	}
	return false
}

// perConnection reports whether put runs in an HTTP handler, a stream or
// a long poll that writes at its own pace: every open connection writes
// the key at that pace, so the connections that share it (the viewers of
// one class) together write it faster than KV allows. A key drawn fresh
// for the connection is its own.
func perConnection(model *kvapi.Result, put *kvapi.Op) bool {
	if !inHandler(model, put.Call.Parent()) {
		return false
	}
	// Drawn by a call, or filled by one: rand.Read(b).
	fresh := func(instr ssa.Instruction) bool {
		call, ok := instr.(*ssa.Call)
		return ok && kvapi.Fresh(call)
	}
	drawn := func(s kvapi.Step) bool {
		if call, ok := s.Value.(*ssa.Call); ok && fresh(call) {
			return true
		}
		return s.Value.Referrers() != nil && slices.ContainsFunc(*s.Value.Referrers(), fresh)
	}
	for _, src := range put.Sources(kvapi.Key) {
		for _, in := range src.Inputs() {
			if model.Backward(in, put.Call, drawn) {
				return false
			}
		}
	}
	return true
}

// leaves reports whether some path from block leaves the loop before it
// comes back to the loop's header: a call whose error ends the loop. A
// wrapper that fails after its write (a backoff marker) then writes once
// per loop.
func leaves(loop kvapi.Loop, block *ssa.BasicBlock) bool {
	header := loop.Header()
	seen := map[*ssa.BasicBlock]bool{block: true}
	queue := []*ssa.BasicBlock{block}
	for len(queue) > 0 {
		b := queue[0]
		queue = queue[1:]
		for _, s := range b.Succs {
			if !loop[s] {
				return true
			}
			if s != header && !seen[s] {
				seen[s] = true
				queue = append(queue, s)
			}
		}
	}
	return false
}

// throttled reports whether the write runs only once enough time has
// passed since the last one: a check in the loop of time.Since(last) or
// now.Sub(last) against a second or more, whose "too soon" side never
// reaches the write. The write may also run when something else says so
// (a stage that changed, a few times a job).
func throttled(model *kvapi.Result, put *kvapi.Op, loop kvapi.Loop) bool {
	for b := range loop {
		br, ok := b.Instrs[len(b.Instrs)-1].(*ssa.If)
		if !ok {
			continue
		}
		cmp, ok := br.Cond.(*ssa.BinOp)
		if !ok || cmp.Op != token.GEQ && cmp.Op != token.GTR && cmp.Op != token.LSS && cmp.Op != token.LEQ {
			continue
		}
		for _, side := range []ssa.Value{cmp.X, cmp.Y} {
			if !elapsed(side) || readThisRun(side.(*ssa.Call), loop) {
				continue
			}
			// time.Since(last) < d is true too soon, and so is d > time.Since(last).
			soon := b.Succs[0]
			if (cmp.Op == token.GEQ || cmp.Op == token.GTR) == (side == cmp.X) {
				soon = b.Succs[1]
			}
			if reachesInRun(soon, put.Call.Block(), loop) {
				continue
			}
			if k := model.Constant(kvapi.OtherOperand(cmp, side)); k != nil {
				if n, exact := constant.Int64Val(constant.ToInt(k)); exact && time.Duration(n) >= time.Second {
					return true
				}
			}
		}
	}
	return false
}

// everyNth reports whether the write runs only on every nth run of a
// loop that reads KV on each (if n%500 == 0 { checkpoint(...) }), with n
// in the hundreds or more: each run waits on KV, so the key is written
// seconds apart.
func everyNth(model *kvapi.Result, put *kvapi.Op, loop kvapi.Loop) bool {
	fn := put.Call.Parent()
	inLoop := func(op *kvapi.Op) bool { return loop[op.Call.Block()] }
	if !slices.ContainsFunc(slices.Concat(model.OpsIn(fn, kvapi.Get), model.OpsIn(fn, kvapi.List)), inLoop) {
		return false
	}
	for b := range loop {
		br, ok := b.Instrs[len(b.Instrs)-1].(*ssa.If)
		if !ok {
			continue
		}
		cmp, ok := br.Cond.(*ssa.BinOp)
		if !ok || cmp.Op != token.EQL && cmp.Op != token.NEQ {
			continue
		}
		for _, side := range []ssa.Value{cmp.X, cmp.Y} {
			rem, ok := side.(*ssa.BinOp)
			if !ok || rem.Op != token.REM {
				continue
			}
			zero, every := model.Constant(kvapi.OtherOperand(cmp, side)), model.Constant(rem.Y)
			if zero == nil || every == nil || constant.Sign(zero) != 0 {
				continue
			}
			if n, exact := constant.Int64Val(constant.ToInt(every)); !exact || n < 100 {
				continue
			}
			between := b.Succs[1] // n%k == 0 is false between the nth runs
			if cmp.Op == token.NEQ {
				between = b.Succs[0]
			}
			if !reachesInRun(between, put.Call.Block(), loop) {
				return true
			}
		}
	}
	return false
}

// reachesInRun reports whether to can be reached from from within one
// run of the loop: without going back to its head.
func reachesInRun(from, to *ssa.BasicBlock, loop kvapi.Loop) bool {
	entered := func(b *ssa.BasicBlock) bool {
		return slices.ContainsFunc(b.Preds, func(p *ssa.BasicBlock) bool { return !loop[p] })
	}
	if entered(from) {
		return false // back at the loop's head: the next run
	}
	return kvapi.ReachesAlong(from, to, func(_, succ *ssa.BasicBlock) bool { return loop[succ] && !entered(succ) })
}

// readThisRun reports whether the moment that elapsed measures from is
// data of this run of the loop, not the time of the last write: a stamp
// parsed from the record this run read (scheduled.Sub(seen) of seen, _ :=
// time.Parse(..., last)) filters records, it does not pace the writes.
func readThisRun(elapsed *ssa.Call, loop kvapi.Loop) bool {
	from := elapsed.Call.Args[len(elapsed.Call.Args)-1] // time.Since(t), now.Sub(t)
	switch v := from.(type) {
	case *ssa.Extract, *ssa.Field:
		return loop[v.(ssa.Instruction).Block()]
	case *ssa.Call:
		// time.Unix(ts, 0) of a stamp this run parsed; not s.lastFlush(),
		// an accessor of what the loop keeps.
		return loop[v.Block()] && slices.ContainsFunc(v.Call.Args, func(a ssa.Value) bool {
			in, ok := a.(ssa.Instruction)
			return ok && loop[in.Block()]
		})
	}
	return false
}

// elapsed reports whether v is a time passed: time.Since(t), or
// now.Sub(t).
func elapsed(v ssa.Value) bool {
	call, ok := v.(*ssa.Call)
	if !ok {
		return false
	}
	name := kvapi.CalleeName(call)
	return name == "time.Since" || name == "(time.Time).Sub"
}

// calledEveryIteration reports whether put, in a closure, writes a key
// fixed inside it, and the function that makes the closure calls it on
// each run of a loop (a flush closure called for every batch), or the
// closure is the body of a range over an iterator function.
func calledEveryIteration(model *kvapi.Result, put *kvapi.Op) bool {
	fn := put.Call.Parent()
	if fn.Parent() == nil {
		return handedOnPerElement(model, put, fn)
	}
	given, ok := closureKey(model, put)
	if !ok {
		return false
	}
	if len(given) > 0 {
		// Given by each call: a call in a loop that gives the same key on
		// each run writes it each run (save(keys.MenuCurrent, week) for
		// every kitchen).
		return calledInLoop(model, put, fn, given) != nil
	}
	if (fn.Synthetic == "range-over-func yield" || kvapi.SyncMapRange(fn) != nil) && !onFailure(put.Call.Block()) {
		// The body of for chunk := range slices.Chunk(xs, n), or of
		// m.Range(func(k, v any) bool {...}): run per element, unless
		// it waits between elements itself.
		body := make(kvapi.Loop)
		for _, b := range fn.Blocks {
			body[b] = true
		}
		return !paced(model, body)
	}
	if drawnIn(model, put, fn) {
		return false // a key each call draws afresh: "code:" + NewCode()
	}
	return calledInLoop(model, put, fn, nil) != nil || launched(model, put, fn) || runByLooped(model, put, fn, 0)
}

// handedOnPerElement reports whether fn, a function or method that
// writes put, is handed as a value to a stream's stage or sink, which
// calls it once per element (stream.To(windows, p.markProgress)), and
// put's key takes nothing from what each call is given: the receiver of
// a method value is bound once.
func handedOnPerElement(model *kvapi.Result, put *kvapi.Op, fn *ssa.Function) bool {
	given := paramValues(fn)
	if fn.Signature.Recv() != nil {
		given = given[1:]
	}
	return len(put.Sources(kvapi.Key)) > 0 && len(given) > 0 && handedItems(fn) && !keyTakesFrom(model, put, given) && !drawnIn(model, put, fn) &&
		!onFailure(put.Call.Block()) && model.CalledPerElementLater(fn)
}

// keyTakesFrom reports whether put's key is made from any of vals, or
// inside a wrapper in a way not known.
func keyTakesFrom(model *kvapi.Result, put *kvapi.Op, vals []ssa.Value) bool {
	return slices.ContainsFunc(put.Sources(kvapi.Key), func(src kvapi.Source) bool {
		return src.Term != nil && opaque(src.Term) || model.DependsOnAny(src.Inputs(), put.Call, vals)
	})
}

// drawnIn reports whether put's key is made, inside the closure fn or
// one it makes, from something drawn afresh on each call: a random code,
// a unique ID (NewCode(), uuid.NewString()).
func drawnIn(model *kvapi.Result, put *kvapi.Op, fn *ssa.Function) bool {
	return slices.ContainsFunc(put.Sources(kvapi.Key), func(src kvapi.Source) bool {
		return slices.ContainsFunc(src.Inputs(), func(in ssa.Value) bool {
			return model.Backward(in, put.Call, func(s kvapi.Step) bool {
				call, ok := s.Value.(*ssa.Call)
				return ok && (call.Parent() == fn || encloses(fn, call.Parent())) && kvapi.Fresh(call)
			})
		})
	})
}

// closureKey returns the parameters of put's closure that its key or
// namespace come from; ok is false when put is in no closure, or its key
// is not known or changes from call to call by itself.
func closureKey(model *kvapi.Result, put *kvapi.Op) (given []int, ok bool) {
	fn := put.Call.Parent()
	if fn.Parent() == nil || len(put.Sources(kvapi.Key)) == 0 {
		return nil, false
	}
	for _, o := range []kvapi.Operand{kvapi.Key, kvapi.Namespace} {
		for _, src := range put.Sources(o) {
			inputs := src.Inputs()
			if src.Term != nil && opaque(src.Term) {
				if o != kvapi.Namespace {
					return nil, false
				}
				// A namespace the wrapper looks up is fixed by what the
				// call gives it (see givenInvariant).
				inputs = givenBesidesValue(put)
			}
			// A key made by the enclosing function on each run of its loop
			// (the elements appended to a batch the closure flushes) is a
			// new key each run.
			if o == kvapi.Key && slices.ContainsFunc(inputs, func(in ssa.Value) bool {
				instr, ok := in.(ssa.Instruction)
				return ok && instr.Parent() != fn && instr.Block() != nil && kvapi.Around(instr.Block()) != nil
			}) {
				return nil, false
			}
			for i, p := range fn.Params {
				if model.DependsOnAny(inputs, put.Call, []ssa.Value{p}) && !slices.Contains(given, i) {
					given = append(given, i)
				}
			}
			if counted := countedLoads(fn); len(counted) > 0 && model.DependsOnAny(src.Inputs(), put.Call, counted) {
				return nil, false // a part number the closure counts up: part++
			}
		}
	}
	return given, true
}

// givenInLoop returns, for put in a closure whose key comes from what
// each call gives it, the call in a loop that gives the same key on each
// run: where the finding is, since the closure writes what it is told.
func givenInLoop(model *kvapi.Result, put *kvapi.Op) *ast.CallExpr {
	given, ok := closureKey(model, put)
	if !ok || len(given) == 0 {
		return nil
	}
	if call := calledInLoop(model, put, put.Call.Parent(), given); call != nil {
		return model.CallExpr(call.Pos())
	}
	return nil
}

// calledInLoop reports whether the function that makes the closure fn
// calls it on each run of a loop, with a key that does not come from
// that run: neither from what the closure captures there nor from its
// arguments given, the parameters that the key is made of.
func calledInLoop(model *kvapi.Result, put *kvapi.Op, fn *ssa.Function, given []int) ssa.CallInstruction {
	for _, call := range model.CallSites(fn) {
		if _, ok := call.(*ssa.Call); !ok {
			continue // a go statement: see launched
		}
		loop, repeats := repeatedIn(call.Block())
		if !repeats || paced(model, loop) || capturesVarying(model, put, call, loop) {
			continue
		}
		args := call.Common().Args
		if !slices.ContainsFunc(given, func(i int) bool { return i >= len(args) || varies(model, args[i], loop, 0) }) {
			return call
		}
	}
	return nil
}

// runByLooped reports whether the closure fn is given to a runner that
// calls it on each run of a loop (a visitor), or is run, called or given
// to a runner, by a closure that is itself run on each run of a loop: the
// write of retry.Do(ctx, 3, func() error { return retry.Do(ctx, 2, func()
// error { ... }) }) in a loop. Its key must come from nothing the
// closures are given or capture: what their loops vary is not followed
// this far.
func runByLooped(model *kvapi.Result, put *kvapi.Op, fn *ssa.Function, depth int) bool {
	keyFrom := func(vals []ssa.Value) bool { return keyTakesFrom(model, put, vals) }
	// A visitor writes the same key on each visit when the key takes
	// nothing from what the visit is given or what the visitor counts:
	// constants, and what it captures (j.Meta's prefix + "cron:last-key").
	// The closure made anew in an outer loop needs a key known here.
	// (A closure given nothing but a context is retried, not handed each
	// key of a walk.)
	params := paramValues(fn)
	perVisit := len(put.Sources(kvapi.Key)) > 0 && handedItems(fn) && !keyFrom(append(slices.Clone(params), countedLoads(fn)...))
	_, fixed := constantKeys(model, put)
	perRun := fixed && !keyFrom(append(slices.Clone(params), freeVarValues(fn)...))
	// A key that takes nothing from what the closure is given may still
	// be fixed for each run of a visitor around it, which is asked in
	// turn: "pass:"+venue written by try(func() error {...}) inside
	// lo.ForEach(lines, func(line string, _ int) {...}).
	steady := len(put.Sources(kvapi.Key)) > 0 && !keyFrom(params) && !drawnIn(model, put, fn)
	if !perVisit && !perRun && !steady {
		return false
	}
	if perVisit && model.CalledPerElementLater(fn) && !onFailure(put.Call.Block()) {
		// A stream's stage or sink, run once per element; an error it
		// returns fails the stream, and is no early stop of a walk.
		return true
	}
	for _, call := range model.RunSites(fn) {
		outer := call.Parent()
		if perVisit && model.RunsEach(call, fn) && !onFailure(put.Call.Block()) && !stopsAfter(put) {
			return true // a visitor, run once per key listed
		}
		if _, ok := call.(*ssa.Call); !ok || outer.Parent() == nil || depth > 2 {
			continue
		}
		if perRun && (calledInLoop(model, put, outer, nil) != nil || launched(model, put, outer)) || runByLooped(model, put, outer, depth+1) {
			return true
		}
	}
	return false
}

// stopsAfter reports whether every return of put's closure that follows
// the put, but for the put's own failure, hands back an error: a visitor
// that stops its walk at the first key it writes for.
func stopsAfter(put *kvapi.Op) bool {
	call, ok := put.Call.(*ssa.Call)
	if !ok {
		return false
	}
	start := put.Call.Block()
	stops := false
	for _, b := range start.Parent().Blocks {
		if b != start && !kvapi.Reaches(start, b) {
			continue
		}
		ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
		if !ok || len(ret.Results) == 0 {
			continue
		}
		switch v := ret.Results[len(ret.Results)-1].(type) {
		case *ssa.Const:
			if v.IsNil() {
				return false // goes on to the next key
			}
		case *ssa.Call:
			if v == call {
				continue // the put's own error
			}
		case *ssa.Extract:
			if v.Tuple == call {
				continue
			}
		}
		stops = true
	}
	return stops
}

// capturesVarying reports whether the closure that call calls is made in
// the loop, and its key is built from what it captures there: apply :=
// func() error { ... put(key, ...) } with key := "hours:" + u.Restaurant
// of this message. Each iteration's closure writes its own key.
func capturesVarying(model *kvapi.Result, put *kvapi.Op, call ssa.CallInstruction, loop kvapi.Loop) bool {
	mc, ok := call.Common().Value.(*ssa.MakeClosure)
	if !ok {
		return false
	}
	fn := put.Call.Parent()
	for i, fv := range fn.FreeVars {
		if i >= len(mc.Bindings) || !varies(model, mc.Bindings[i], loop, 0) {
			continue
		}
		for _, src := range put.Sources(kvapi.Key) {
			if model.DependsOnAny(src.Inputs(), put.Call, []ssa.Value{fv}) {
				return true
			}
		}
	}
	return false
}

// handedItems reports whether closure fn takes something besides a
// context: what a walk hands each visit.
func handedItems(fn *ssa.Function) bool {
	return slices.ContainsFunc(fn.Params, func(p *ssa.Parameter) bool { return !kvapi.IsContext(p.Type()) })
}

// freeVarValues returns the variables closure fn captures.
func freeVarValues(fn *ssa.Function) []ssa.Value {
	var vals []ssa.Value
	for _, fv := range fn.FreeVars {
		vals = append(vals, fv)
	}
	return vals
}

// countedLoads returns the reads, in the closure fn, of the variables it
// captures and sets itself: each call sees the next value.
func countedLoads(fn *ssa.Function) []ssa.Value {
	var loads []ssa.Value
	for _, fv := range fn.FreeVars {
		set := slices.ContainsFunc(*fv.Referrers(), func(ref ssa.Instruction) bool {
			st, ok := ref.(*ssa.Store)
			return ok && st.Addr == fv
		})
		if !set {
			continue
		}
		for _, ref := range *fv.Referrers() {
			if load, ok := ref.(*ssa.UnOp); ok && load.Op == token.MUL {
				loads = append(loads, load)
			}
		}
	}
	return loads
}

// launched reports whether the closure fn is started on each run of a
// loop, by a go statement or handed to a call that runs it (g.Go(f),
// pool.Submit(f)), while the key and namespace it writes depend on
// nothing it captures from that run: every task writes one key.
func launched(model *kvapi.Result, put *kvapi.Op, fn *ssa.Function) bool {
	for _, b := range fn.Parent().Blocks {
		for _, instr := range b.Instrs {
			mc, ok := instr.(*ssa.MakeClosure)
			if !ok || mc.Fn != fn {
				continue
			}
			loop, repeats := repeatedIn(b)
			if !repeats || paced(model, loop) || !startedHere(mc) || onFailure(put.Call.Block()) {
				continue
			}
			var perRun []ssa.Value // captured values made in the loop, or its variables
			for i, bound := range mc.Bindings {
				in, made := bound.(ssa.Instruction)
				p, given := bound.(*ssa.Parameter)
				if made && loop[in.Block()] || given && loop[p.Parent().Blocks[0]] {
					perRun = append(perRun, fn.FreeVars[i])
				}
			}
			// (a key not known is not known to be one, nor one drawn
			// afresh by each task: fleet.NewCode())
			fixed := len(put.Sources(kvapi.Key)) > 0 && !drawnIn(model, put, fn)
			for _, o := range []kvapi.Operand{kvapi.Key, kvapi.Namespace} {
				for _, src := range put.Sources(o) {
					fixed = fixed && !model.DependsOnAny(src.Inputs(), put.Call, perRun)
				}
			}
			if fixed {
				return true
			}
		}
	}
	return false
}

// repeatedIn returns the loop that runs b again, and whether it does: the
// loop around b in its function, or the body of a range over an
// iterator (for i, show := range slices.All(shows)), which runs anew for
// each element.
func repeatedIn(b *ssa.BasicBlock) (kvapi.Loop, bool) {
	if loop := kvapi.Around(b); loop != nil {
		return loop, loop.Repeats(b)
	}
	if fn := b.Parent(); fn.Synthetic == "range-over-func yield" {
		body := make(kvapi.Loop)
		for _, b := range fn.Blocks {
			body[b] = true
		}
		return body, true
	}
	return nil, false
}

// onFailure reports whether block runs only after an error was found
// non-nil: a task that records its failure writes once per failure, not
// on each run.
func onFailure(block *ssa.BasicBlock) bool {
	for b := block; b.Idom() != nil; b = b.Idom() {
		test := b.Idom()
		br, ok := test.Instrs[len(test.Instrs)-1].(*ssa.If)
		if !ok {
			continue
		}
		if failed, ok := kvapi.ErrorBranch(br); ok && failed == b && len(b.Preds) == 1 {
			return true
		}
	}
	return false
}

// startedHere reports whether the closure mc is run where it is made: by
// a go statement, or passed to a call that runs it; or kept in a job
// list to run with the others (jobs = append(jobs, func() error {...})),
// also as a named function type (cmds = append(cmds, tea.Cmd(...))).
func startedHere(mc *ssa.MakeClosure) bool {
	var started func(v ssa.Value, depth int) bool
	started = func(v ssa.Value, depth int) bool {
		for _, ref := range *v.Referrers() {
			switch ref := ref.(type) {
			case *ssa.Store:
				if _, listed := ref.Addr.(*ssa.IndexAddr); listed && ref.Val == v {
					return true
				}
			case *ssa.Go:
				if ref.Call.Value == v {
					return true
				}
			case ssa.CallInstruction:
				if slices.Contains(ref.Common().Args, v) {
					return true
				}
			case *ssa.ChangeType, *ssa.MakeInterface:
				if depth < 2 && started(ref.(ssa.Value), depth+1) {
					return true
				}
			}
		}
		return false
	}
	return started(mc, 0)
}

func paramValues(fn *ssa.Function) []ssa.Value {
	var vals []ssa.Value
	for _, p := range fn.Params {
		vals = append(vals, p)
	}
	return vals
}

// invariant reports whether operand o of op is the same on every
// iteration of loop: every source is computed from values made before
// the loop, constants and fields.
func invariant(model *kvapi.Result, op *kvapi.Op, o kvapi.Operand, loop kvapi.Loop) bool {
	srcs := op.Sources(o)
	if len(srcs) == 0 {
		return o == kvapi.Namespace // a namespace fixed inside a wrapper
	}
	for _, src := range srcs {
		if src.Term != nil && opaque(src.Term) {
			// A namespace the wrapper looks up (by the tenant in ctx) is
			// no fresh draw: it is fixed when what the call gives it is.
			if o == kvapi.Namespace && givenInvariant(model, op, loop) {
				continue
			}
			return false // drawn inside the wrapper: perhaps fresh each call
		}
		if src.Term != nil && countsInside(model, op, src.Term) {
			return false // a part number the wrapper advances: c.parts++
		}
		if src.Term != nil && src.Term.ReadsClockID() {
			return false // an ID the wrapper reads off the clock in nanoseconds
		}
		for _, in := range inputs(src) {
			if varies(model, in, loop, 0) {
				return false
			}
		}
	}
	return true
}

// inputs returns what src is computed from: src.Inputs(), but for a
// field that a wrapper's Term reads of a struct its caller builds
// (Set(&Item{Key: "import:progress", Value: v})), what that field is set
// to: the struct is new on each iteration, its key need not be.
func inputs(src kvapi.Source) []ssa.Value {
	return src.InputsPruned(func(t *kvapi.Term) ([]ssa.Value, bool) {
		if t.Op == kvapi.TermField && len(t.Args) == 1 && t.Args[0].Op == kvapi.TermParam && t.Args[0].Index < len(src.Args) {
			return fieldSet(src.Args[t.Args[0].Index], t.Name)
		}
		return nil, false
	})
}

// fieldSet returns the values stored into the field name of the struct
// that v, a composite literal's address, points to, when those stores
// are all that sets it.
func fieldSet(v ssa.Value, name string) ([]ssa.Value, bool) {
	alloc, ok := v.(*ssa.Alloc)
	if !ok {
		return nil, false
	}
	var set []ssa.Value
	for _, ref := range *alloc.Referrers() {
		switch ref := ref.(type) {
		case *ssa.FieldAddr:
			if f := kvapi.FieldOf(ref); f == nil || f.Name() != name {
				continue
			}
			for _, use := range *ref.Referrers() {
				switch use := use.(type) {
				case *ssa.Store:
					set = append(set, use.Val)
				case *ssa.DebugRef, *ssa.UnOp:
				default:
					return nil, false // its address handed on
				}
			}
		case *ssa.Store:
			return nil, false // set whole
		}
	}
	return set, true
}

// givenInvariant reports whether what op's call gives the wrapper, other
// than the argument that is the value written, is the same on every
// iteration of loop. (An argument the value is only computed from may
// pick the namespace too: tickTenant(ctx, tenant).)
func givenInvariant(model *kvapi.Result, op *kvapi.Op, loop kvapi.Loop) bool {
	for _, arg := range givenBesidesValue(op) {
		if varies(model, arg, loop, 0) {
			return false
		}
	}
	return true
}

// givenBesidesValue returns the arguments of op's call other than the
// value written: what may pick a namespace the wrapper looks up.
func givenBesidesValue(op *kvapi.Op) []ssa.Value {
	var value []ssa.Value
	for _, src := range op.Sources(kvapi.Value) {
		t := src.Term
		for t != nil && t.Op == kvapi.TermConvert && len(t.Args) == 1 {
			t = t.Args[0]
		}
		switch {
		case src.Value != nil:
			value = append(value, src.Value)
		case t != nil && t.Op == kvapi.TermParam && t.Index < len(src.Args):
			value = append(value, src.Args[t.Index])
		}
	}
	return slices.DeleteFunc(slices.Clone(op.Args), func(arg ssa.Value) bool { return slices.Contains(value, arg) })
}

// countsInside reports whether the wrapper op calls, in this package,
// stores into a field of its parameters that t reads: flush(b) names each
// part by c.parts and then counts c.parts up.
func countsInside(model *kvapi.Result, op *kvapi.Op, t *kvapi.Term) bool {
	if op.Wrapper == nil {
		return false
	}
	read := make(map[string]bool)
	var walk func(t *kvapi.Term)
	walk = func(t *kvapi.Term) {
		if t.Op == kvapi.TermField && len(t.Args) == 1 && t.Args[0].Op == kvapi.TermParam {
			read[t.Name] = true
		}
		for _, a := range t.Args {
			walk(a)
		}
	}
	walk(t)
	for _, fn := range model.Funcs() {
		if fn.Object() != op.Wrapper {
			continue
		}
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if st, ok := instr.(*ssa.Store); ok {
					if fa, ok := st.Addr.(*ssa.FieldAddr); ok && slices.ContainsFunc(fn.Params, func(p *ssa.Parameter) bool { return fa.X == p }) {
						if f := kvapi.FieldOf(fa); f != nil && read[f.Name()] {
							return true
						}
					}
				}
			}
		}
	}
	return false
}

// opaque reports whether t has a part not known at compile time other
// than its parameters: a random suffix, a clock.
func opaque(t *kvapi.Term) bool {
	if t.Op == kvapi.TermOpaque {
		return true
	}
	return slices.ContainsFunc(t.Args, opaque)
}

// varies reports whether v may take a new value on each iteration of
// loop.
func varies(model *kvapi.Result, v ssa.Value, loop kvapi.Loop, depth int) bool {
	if depth > 8 {
		return true
	}
	instr, ok := v.(ssa.Instruction)
	if !ok || instr.Block() == nil || !loop[instr.Block()] {
		return false // a constant, a parameter, a global, or made before the loop
	}
	switch v := v.(type) {
	case *ssa.Phi:
		return true
	case *ssa.Call:
		if kvapi.Accessor(v) && !advancedIn(v, loop) {
			// s.ns.Binding(): what the receiver holds, the same while the
			// receiver is.
			return varies(model, v.Call.Args[0], loop, depth+1)
		}
		if kvapi.LazyGlobal(v) != nil {
			// cfkv.Analytics(), a binding made on first use: the same on
			// each trip.
			return slices.ContainsFunc(v.Call.Args, func(a ssa.Value) bool { return varies(model, a, loop, depth+1) })
		}
		if !pure(model, v) {
			return true
		}
	case *ssa.UnOp:
		if v.Op == token.ARROW {
			return true
		}
		if v.Op == token.MUL {
			switch x := v.X.(type) {
			case *ssa.FieldAddr, *ssa.Global:
				// a field or a package variable: configuration
			case *ssa.Alloc:
				// A variable that closures share, such as the receiver a
				// flush closure captures: the same unless set in the loop.
				if setIn(x, loop) {
					return true
				}
			case *ssa.FreeVar:
				// A variable of the enclosing function, captured: the
				// same unless this loop sets it.
				for _, ref := range *x.Referrers() {
					if st, ok := ref.(*ssa.Store); ok && st.Addr == x && loop[st.Block()] {
						return true
					}
				}
			case *ssa.Call:
				// A pointer made before the loop, read in it: the value of
				// a flag (*ns of fs.String), the same unless the loop
				// stores through it or hands it to a call.
				if loop[x.Block()] || passedIn(x, loop) {
					return true
				}
			case *ssa.UnOp:
				// The same through a pointer kept in a field: *t.ns of
				// a struct of flags.
				if x.Op != token.MUL || varies(model, x, loop, depth+1) {
					return true
				}
			default:
				return true
			}
		}
	case *ssa.Alloc:
		return !variadicArray(v) || slices.ContainsFunc(model.Elements(v), func(e ssa.Value) bool { return varies(model, e, loop, depth+1) })
	case *ssa.Extract, *ssa.Lookup, *ssa.Next, *ssa.Range:
		return true
	}
	for _, op := range instr.Operands(nil) {
		if *op != nil && varies(model, *op, loop, depth+1) {
			return true
		}
	}
	return false
}

// advancedIn reports whether the loop moves the receiver of the accessor
// call on: sc.Text() of a loop on sc.Scan(), rows.Key() of rows.Next().
// Another method of the receiver, called in the loop, that reports a bool
// or nothing is taken for such a step.
func advancedIn(call *ssa.Call, loop kvapi.Loop) bool {
	recv := call.Call.Args[0]
	for _, ref := range *recv.Referrers() {
		other, ok := ref.(*ssa.Call)
		if !ok || other == call || other.Block() == nil || !loop[other.Block()] {
			continue
		}
		callee := other.Call.StaticCallee()
		if callee == nil || callee.Signature.Recv() == nil || len(other.Call.Args) == 0 || other.Call.Args[0] != recv || callee == call.Call.StaticCallee() {
			continue
		}
		res := callee.Signature.Results()
		if res.Len() == 0 {
			return true
		}
		if b, ok := res.At(res.Len() - 1).Type().Underlying().(*types.Basic); ok && b.Info()&types.IsBoolean != 0 {
			return true
		}
	}
	return false
}

// variadicArray reports whether alloc is the array that holds a
// variadic call's arguments (Key(shop) passes []string{shop}): written
// element by element, then sliced, and nothing else.
func variadicArray(alloc *ssa.Alloc) bool {
	if _, ok := alloc.Type().Underlying().(*types.Pointer).Elem().Underlying().(*types.Array); !ok {
		return false
	}
	for _, ref := range *alloc.Referrers() {
		switch ref := ref.(type) {
		case *ssa.IndexAddr:
			for _, use := range *ref.Referrers() {
				if st, ok := use.(*ssa.Store); !ok || st.Addr != ref {
					return false
				}
			}
		case *ssa.Slice:
		default:
			return false
		}
	}
	return true
}

// passedIn reports whether the loop stores through p, or gives it to a
// call that may.
func passedIn(p ssa.Value, loop kvapi.Loop) bool {
	for _, ref := range *p.Referrers() {
		switch ref.(type) {
		case *ssa.Store, ssa.CallInstruction:
			if loop[ref.Block()] {
				return true
			}
		}
	}
	return false
}

// setIn reports whether the variable alloc may be set during loop: by a
// store in it, or by a closure that captures it and stores into it.
func setIn(alloc *ssa.Alloc, loop kvapi.Loop) bool {
	for _, ref := range *alloc.Referrers() {
		switch ref := ref.(type) {
		case *ssa.Store:
			if ref.Addr == alloc && loop[ref.Block()] {
				return true
			}
		case *ssa.MakeClosure:
			fn := ref.Fn.(*ssa.Function)
			for i, b := range ref.Bindings {
				if b != alloc || i >= len(fn.FreeVars) {
					continue
				}
				for _, use := range *fn.FreeVars[i].Referrers() {
					if st, ok := use.(*ssa.Store); ok && st.Addr == fn.FreeVars[i] {
						return true
					}
				}
			}
		}
	}
	return false
}

// pure reports whether call formats or converts its arguments: the same
// arguments give the same key.
func pure(model *kvapi.Result, call *ssa.Call) bool {
	if fns := model.StoredFuncs(&call.Call); fns != nil {
		// A key function a constructor keeps in a field (progressKey:
		// func(id string) string { return "campaign:" + id + ":progress" }).
		return !slices.ContainsFunc(fns, func(fn *ssa.Function) bool { return !keyLiteral(model, fn) })
	}
	callee := call.Call.StaticCallee()
	if callee == nil || callee.Pkg == nil {
		return false
	}
	switch callee.Pkg.Pkg.Path() {
	case "fmt", "strings", "strconv", "path", "net/url":
		return true
	}
	// The program's key builders: kvkey.Manifest(env).String().
	fn, ok := callee.Object().(*types.Func)
	return ok && kvapi.KeyHelper(fn)
}

// keyLiteral reports whether fn, a function literal, makes a string of
// its arguments alone, with pure calls: the same key for the same
// arguments.
func keyLiteral(model *kvapi.Result, fn *ssa.Function) bool {
	if len(fn.FreeVars) > 0 || fn.Signature.Results().Len() != 1 || !types.Identical(fn.Signature.Results().At(0).Type().Underlying(), types.Typ[types.String]) {
		return false
	}
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if call, ok := instr.(*ssa.Call); ok && !pure(model, call) {
				return false
			}
		}
	}
	return true
}

// retries reports whether loop ends when the put succeeds: a retry.
func retries(loop kvapi.Loop, put *kvapi.Op) bool {
	call, ok := put.Call.(*ssa.Call)
	if !ok {
		return false
	}
	for b := range loop {
		br, ok := b.Instrs[len(b.Instrs)-1].(*ssa.If)
		if !ok || loop[b.Succs[0]] == loop[b.Succs[1]] {
			continue
		}
		bin, ok := br.Cond.(*ssa.BinOp)
		if !ok || bin.Op != token.EQL && bin.Op != token.NEQ || !kvapi.IsNil(bin.X) && !kvapi.IsNil(bin.Y) {
			continue
		}
		leavesWhenTrue := !loop[b.Succs[0]]
		if (bin.Op == token.EQL) == leavesWhenTrue && (fromCall(bin.X, call) || fromCall(bin.Y, call)) {
			return true
		}
	}
	return false
}

// fromCall reports whether v is call's result, or one of its results.
func fromCall(v ssa.Value, call *ssa.Call) bool {
	if ext, ok := v.(*ssa.Extract); ok {
		v = ext.Tuple
	}
	return v == call
}

// paced reports whether loop waits a second or more between iterations:
// time.Sleep, a receive or select on a ticker or timer, or a rate
// limiter's Wait, of a second or more or of a period chosen at run time. A receive from a queue of work
// is no pacing: a writer goroutine draining a channel of events writes
// as fast as they come; nor is a wait only after an error.
func paced(model *kvapi.Result, loop kvapi.Loop) bool {
	waits := false
	for b := range loop {
		if onFailure(b) {
			continue // a backoff before a retry paces the retries, not the loop
		}
		for _, instr := range b.Instrs {
			switch instr := instr.(type) {
			case *ssa.Select:
				waits = waits || slices.ContainsFunc(instr.States, func(st *ssa.SelectState) bool {
					return st.Dir == types.RecvOnly && timeChannel(st.Chan)
				})
			case *ssa.UnOp:
				waits = waits || instr.Op == token.ARROW && timeChannel(instr.X)
			case *ssa.Call:
				if period, ok := timerPeriod(model, instr); ok && period >= time.Second {
					return true
				}
				if period, ok := limiterPeriod(model, instr); ok && period >= time.Second {
					return true
				}
			}
		}
	}
	if !waits {
		return false
	}
	// A receive: paced unless every timer the function starts ticks
	// faster than a second.
	fn := loop.Header().Parent()
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if call, ok := instr.(*ssa.Call); ok {
				if period, ok := timerPeriod(model, call); ok && period < time.Second {
					return false
				}
			}
		}
	}
	return true
}

// timeChannel reports whether ch delivers times: a ticker's or a timer's
// channel, time.After's, or one made to carry ticks.
func timeChannel(ch ssa.Value) bool {
	c, ok := ch.Type().Underlying().(*types.Chan)
	return ok && types.TypeString(c.Elem(), nil) == "time.Time"
}

// timerPeriod returns the period of time.Sleep, time.NewTicker, time.Tick,
// time.After or time.NewTimer, the longest one when it is not a constant.
func timerPeriod(model *kvapi.Result, call *ssa.Call) (time.Duration, bool) {
	callee := call.Call.StaticCallee()
	if callee == nil || callee.Pkg == nil || callee.Pkg.Pkg.Path() != "time" || len(call.Call.Args) != 1 {
		return 0, false
	}
	switch callee.Name() {
	case "Sleep", "NewTicker", "Tick", "After", "NewTimer":
	default:
		return 0, false
	}
	const unknown = time.Duration(1<<63 - 1)
	period := func(v ssa.Value) time.Duration {
		c := model.Constant(v)
		if c == nil {
			return unknown
		}
		d, ok := constant.Int64Val(constant.ToInt(c))
		if !ok {
			return unknown
		}
		return time.Duration(d)
	}
	arg := call.Call.Args[0]
	if load, ok := arg.(*ssa.UnOp); ok && load.Op == token.MUL && model.Constant(arg) == nil {
		// r.verifyAttempt, unexported, so set by the package alone: the
		// longest of the periods it is given.
		if fa, ok := load.X.(*ssa.FieldAddr); ok && kvapi.FieldOf(fa) != nil && !kvapi.FieldOf(fa).Exported() {
			if stored := model.StoredInField(kvapi.FieldOf(fa)); len(stored) > 0 {
				longest := time.Duration(0)
				for _, v := range stored {
					longest = max(longest, period(v))
				}
				return longest, true
			}
		}
	}
	return period(arg), true
}

// limiterPeriod returns the interval at which the Wait or WaitN of a
// golang.org/x/time/rate limiter lets calls through, when call is one:
// rate.NewLimiter(rate.Every(2*time.Second), 1) one every two seconds,
// rate.NewLimiter(50, 5) fifty a second. A limiter made out of sight, or
// at a rate chosen at run time, paces as its author chose, as a sleep of
// a period chosen at run time does.
func limiterPeriod(model *kvapi.Result, call *ssa.Call) (time.Duration, bool) {
	const unknown = time.Duration(1<<63 - 1)
	if !rateFunc(call, "Wait", "WaitN") || len(call.Call.Args) == 0 {
		return 0, false
	}
	limiter := kvapi.VariableValue(call.Call.Args[0]) // captured by the body of a range over an iterator
	if load, ok := limiter.(*ssa.UnOp); ok && load.Op == token.MUL {
		stored := model.StoredValues(load)
		if fa, ok := load.X.(*ssa.FieldAddr); ok && len(stored) == 0 {
			stored = model.StoredInField(kvapi.FieldOf(fa)) // set by a constructor
		}
		if len(stored) == 1 {
			limiter = stored[0] // a limiter kept in a field or a variable
		}
	}
	made, ok := limiter.(*ssa.Call)
	if !ok || !rateFunc(made, "NewLimiter") {
		return unknown, true
	}
	limit := made.Call.Args[0]
	if every, ok := limit.(*ssa.Call); ok && rateFunc(every, "Every") {
		c := model.Constant(every.Call.Args[0])
		if c == nil {
			return unknown, true
		}
		d, _ := constant.Int64Val(constant.ToInt(c))
		return time.Duration(d), true
	}
	c := model.Constant(limit)
	if c == nil {
		return unknown, true
	}
	perSecond, _ := constant.Float64Val(constant.ToFloat(c))
	if perSecond <= 0 {
		return unknown, true // rate.Limit(0) lets nothing through but the burst
	}
	return time.Duration(float64(time.Second) / perSecond), true
}

// rateFunc reports whether call calls one of the named functions or
// methods of golang.org/x/time/rate.
func rateFunc(call *ssa.Call, names ...string) bool {
	callee := call.Call.StaticCallee()
	return callee != nil && callee.Pkg != nil && callee.Pkg.Pkg.Path() == "golang.org/x/time/rate" && slices.Contains(names, callee.Name())
}

// everyRequest reports whether put writes a constant key that records
// activity from an HTTP handler, with no read to guard it.
func everyRequest(model *kvapi.Result, put *kvapi.Op) bool {
	// A read of the key in the same handler may guard the write (write
	// only when it changed); a read elsewhere, a dashboard's, does not.
	fn := kvapi.Outermost(put.Call.Parent())
	guarded := slices.ContainsFunc(model.GetsOf(put), func(get *kvapi.Op) bool {
		return get.Call != put.Call && kvapi.Outermost(get.Call.Parent()) == fn
	})
	// A fill after a miss of a fixed key writes once per expiry; after a
	// miss of a key each request names (a webhook's event ID), it writes
	// on every new request.
	fixedKey := func(get *kvapi.Op) bool {
		_, fixed := constantKeys(model, get)
		return fixed
	}
	beside := afterOneRecord(model, put)
	if !inHandler(model, put.Call.Parent()) && !madePerRequest(model, put.Call.Parent()) && !beside || guarded || model.AfterMiss(put, fixedKey) {
		return false
	}
	// A key of any name, stamped with the time beside each record, notes
	// the latest change of any of them: a manifest's generation, bumped
	// by a helper (Patch writes the device's config, then bump(ctx)).
	stamped := beside && (fromClock(model, put, kvapi.Value) || innerOf(model, put) != nil && fromClock(model, innerOf(model, put), kvapi.Value))
	keys, fixed := constantKeys(model, put)
	if !fixed {
		text, fixed := receiverKey(model, put)
		return fixed && (stamped || activityKey(text))
	}
	if stamped {
		return true
	}
	for _, k := range keys {
		if k.Kind() != constant.String || !activityKey(constant.StringVal(k)) {
			return false
		}
	}
	return true
}

// editorialVerb words name what an editor or an operator does now and
// then, not each request: Publish a sheet, Import a batch.
var editorialVerb = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)^(publish|publishes|release|releases|import|imports|migrate|migrates|seed|rebuild|backfill|sync)$`)
})

// afterOneRecord reports whether the method that holds put, outside any
// loop, also writes or deletes one record under a key computed from what
// it is given (Beat(hb) writes hb.Key(), then "fleet/last-heartbeat"): a
// constant key written beside each record is written as often as records
// are, which a service does once per request (its methods take the
// request's context). A job that writes records in a loop and then its
// status once is not this.
func afterOneRecord(model *kvapi.Result, put *kvapi.Op) bool {
	fn := put.Call.Parent()
	if fn.Parent() != nil || fn.Signature.Recv() == nil || kvapi.Around(put.Call.Block()) != nil ||
		slices.ContainsFunc(kvapi.Words(fn.Name()), editorialVerb().MatchString) {
		return false
	}
	var given []ssa.Value // what the caller gives: not the receiver, nor the context
	withContext := false
	for i, p := range fn.Params {
		switch {
		case types.TypeString(p.Type(), nil) == "context.Context":
			withContext = true
		case types.TypeString(p.Type(), nil) == "time.Time":
			// A moment, a cron tick's: a record per period, not per request.
		case i > 0: // (fn is a method: Params[0] is its receiver)
			given = append(given, p)
		}
	}
	if !withContext {
		return false // a service's method is given the request's context
	}
	// (Nor is a moment among what the caller gives, ev.Time of a
	// scheduled event: records keyed by it are made once a period.)
	moment := func(s kvapi.Step) bool { return types.TypeString(s.Value.Type(), nil) == "time.Time" }
	// The record may be written or deleted: a queue consumer that purges
	// a page per message, then notes the latest.
	for _, other := range slices.Concat(model.OpsIn(fn, kvapi.Put), model.OpsIn(fn, kvapi.Delete)) {
		if other == put || kvapi.Around(other.Call.Block()) != nil {
			continue
		}
		if _, fixed := constantKeys(model, other); fixed {
			continue
		}
		for _, src := range other.Sources(kvapi.Key) {
			for _, in := range src.Inputs() {
				if model.BackwardPruned(in, other.Call, moment, func(s kvapi.Step) bool { return slices.Contains(given, s.Value) }) {
					return true
				}
			}
		}
	}
	return false
}

// heldBuffer reports whether op stages its write in a buffer that keeps
// one write per key (p.wb.Set(...), or a method of p that does), not in
// one made for this call (u := s.Begin(); u.Put(...)), which the request
// commits itself.
func heldBuffer(op *kvapi.Op) bool {
	if op.Wrapped == nil || !op.Wrapped.Collapses {
		return false
	}
	common := op.Call.Common()
	if common.IsInvoke() || len(common.Args) == 0 {
		return false
	}
	recv := common.Args[0]
	if load, ok := recv.(*ssa.UnOp); ok && load.Op == token.MUL {
		recv = load.X
		if alloc, ok := recv.(*ssa.Alloc); ok && alloc.Heap && len(*alloc.Referrers()) > 0 {
			// A variable closures share: what it was set to.
			for _, ref := range *alloc.Referrers() {
				if st, ok := ref.(*ssa.Store); ok && st.Addr == alloc {
					recv = st.Val
					break
				}
			}
		}
	}
	switch recv.(type) {
	case *ssa.Call, *ssa.Alloc:
		return false // made here
	}
	return true
}

// countsValue reports whether the value the wrapper op calls writes is
// computed by arithmetic: a count, not a log line appended.
func countsValue(op *kvapi.Op) bool {
	return slices.ContainsFunc(op.Sources(kvapi.Value), func(src kvapi.Source) bool {
		return src.Term != nil && src.Term.Arithmetic()
	})
}

// fromClock reports whether op's operand o is made from the time now: a
// key of a bucket per minute or per day, a value that stamps the latest
// change.
func fromClock(model *kvapi.Result, op *kvapi.Op, o kvapi.Operand) bool {
	return slices.ContainsFunc(op.Sources(o), func(src kvapi.Source) bool {
		if src.Term != nil && src.Term.Find(func(t *kvapi.Term) bool { return t.Op == kvapi.TermCall && t.Name == "time.Now" }) != nil {
			return true
		}
		return slices.ContainsFunc(src.Inputs(), func(in ssa.Value) bool {
			return model.Backward(in, op.Call, func(s kvapi.Step) bool { return kvapi.Clock(s.Value) })
		})
	})
}

// steered reports whether c tests something the wrapper holds or is
// given, as it is: not what a call made of it answers (ctx.Err()).
func steered(c kvapi.Cond) bool { return givenPart(c.Term) }

func givenPart(t *kvapi.Term) bool {
	switch t.Op {
	case kvapi.TermOpaque:
		return false
	case kvapi.TermParam:
		return true
	}
	return slices.ContainsFunc(t.Args, givenPart)
}

// constantKeys returns the keys op may use, when every one of them is
// known at compile time.
func constantKeys(model *kvapi.Result, op *kvapi.Op) ([]constant.Value, bool) {
	srcs := op.Sources(kvapi.Key)
	var keys []constant.Value
	for _, src := range srcs {
		vals, free := model.EvalSource(src, nil)
		if len(vals) == 0 || len(free) > 0 {
			// Through a storage port, whose implementation may add a
			// prefix of its own.
			if vals = model.EvalPerInstance(op, src); len(vals) == 0 {
				return nil, false
			}
		}
		keys = append(keys, vals...)
	}
	return keys, len(srcs) > 0
}

// receiverKey returns the words of put's key when it is the same on every
// request though not known at compile time: constants joined to what the
// handler's receiver holds, h.ks.Prefix() + "stats:last-open" or
// h.keys.LatestSignup(), with nothing from the request, the clock or a
// random draw. The words are the constants' and the key builders' names.
func receiverKey(model *kvapi.Result, put *kvapi.Op) (string, bool) {
	// The handler may be a closure that a method of the receiver returns,
	// func (a *App) handleStatus() http.HandlerFunc, which captures it.
	// So may a handler factory, CheckIn(b, auditTTL) http.HandlerFunc,
	// whose parameters are fixed when main wires the handler in.
	fn := kvapi.Outermost(put.Call.Parent())
	srcs := put.Sources(kvapi.Key)
	var wired []ssa.Value
	if fn.Signature.Recv() != nil {
		wired = append(wired, fn.Params[0])
	}
	if put.Call.Parent() != fn && !servesRequest(model, fn) {
		for _, p := range fn.Params {
			wired = append(wired, p)
		}
	}
	if len(srcs) == 0 {
		return "", false
	}
	var words []string
	var fixed func(v ssa.Value, depth int) bool
	fixed = func(v ssa.Value, depth int) bool {
		if depth > 8 {
			return false
		}
		switch v := v.(type) {
		case *ssa.Parameter:
			return slices.Contains(wired, ssa.Value(v))
		case *ssa.FreeVar:
			return holdsOnly(kvapi.Binding(v), wired)
		case *ssa.Const:
			if v.Value != nil && v.Value.Kind() == constant.String {
				words = append(words, constant.StringVal(v.Value))
			}
			return true
		case *ssa.BinOp:
			return fixed(v.X, depth+1) && fixed(v.Y, depth+1)
		case *ssa.Slice:
			// The parts given to a variadic key builder, keys.Key("stats",
			// "chat", "last_message_at"): each element stored.
			alloc, ok := v.X.(*ssa.Alloc)
			if !ok || !variadicArray(alloc) {
				return false
			}
			for _, ref := range *alloc.Referrers() {
				if ia, ok := ref.(*ssa.IndexAddr); ok {
					for _, use := range *ia.Referrers() {
						if !fixed(use.(*ssa.Store).Val, depth+1) {
							return false
						}
					}
				}
			}
			return true
		case *ssa.Convert, *ssa.ChangeType, *ssa.MakeInterface, *ssa.Field, *ssa.FieldAddr:
			// A conversion, or a part of what the receiver holds.
			return fixed(*v.(ssa.Instruction).Operands(nil)[0], depth+1)
		case *ssa.UnOp:
			if g, ok := v.X.(*ssa.Global); ok {
				words = append(words, g.Name()) // var lobbyLatest = keys.Root.Child(...)
				return v.Op == token.MUL
			}
			return v.Op == token.MUL && fixed(v.X, depth+1)
		case *ssa.Call:
			// A key builder given only what is fixed: ks.Prefix(),
			// ks.LatestSignup(), fmt.Sprintf("%s:last", prefix).
			if kvapi.Clock(v) || kvapi.Fresh(v) {
				return false
			}
			if v.Call.IsInvoke() {
				words = append(words, v.Call.Method.Name())
				if !fixed(v.Call.Value, depth+1) {
					return false
				}
			} else if callee := v.Call.StaticCallee(); callee != nil {
				words = append(words, callee.Name())
			} else {
				return false
			}
			for _, arg := range v.Call.Args {
				if !fixed(arg, depth+1) {
					return false
				}
			}
			return true
		}
		return false
	}
	// Through a wrapper or a port: what its Term is made of.
	var fixedTerm func(t *kvapi.Term, args []ssa.Value) bool
	fixedTerm = func(t *kvapi.Term, args []ssa.Value) bool {
		switch t.Op {
		case kvapi.TermOpaque:
			return false
		case kvapi.TermParam:
			return t.Index < len(args) && fixed(args[t.Index], 0)
		case kvapi.TermConst:
			if t.Kind == constant.String {
				words = append(words, constant.StringVal(constant.MakeFromLiteral(t.Value, token.STRING, 0)))
			}
		case kvapi.TermCall:
			words = append(words, t.Name)
		}
		for _, a := range t.Args {
			if !fixedTerm(a, args) {
				return false
			}
		}
		return true
	}
	for _, src := range srcs {
		switch {
		case src.Value != nil:
			if !fixed(src.Value, 0) {
				return "", false
			}
		case src.Term == nil || slices.ContainsFunc(src.Conds, steered) && !put.Call.Common().IsInvoke() && !model.ChosenSource(src) || !fixedTerm(src.Term, src.Args):
			// (A wrapper of the program that writes only under a
			// condition of its own, if !c.warm, may write once, unless
			// the caller's arguments choose the branch; a port's
			// conditions are its adapter's, on the options it is given.
			// A test of what no argument decides, ctx.Err() != nil, is
			// a failure's, not a choice.)
			return "", false
		}
	}
	return strings.Join(words, " "), true
}

// holdsOnly reports whether v, what a closure captures, is one of the
// wired values, or a variable that holds only one (the receiver, captured
// by reference).
func holdsOnly(v ssa.Value, wired []ssa.Value) bool {
	if slices.Contains(wired, v) {
		return true
	}
	alloc, ok := v.(*ssa.Alloc)
	if !ok {
		return false
	}
	stored := false
	for _, ref := range *alloc.Referrers() {
		if st, ok := ref.(*ssa.Store); ok && st.Addr == alloc {
			if !slices.Contains(wired, st.Val) {
				return false
			}
			stored = true
		}
	}
	return stored
}

// inHandler reports whether fn, or a function it is nested in, serves
// HTTP requests: a ServeHTTP method, or a function given the request. An
// admin's handler, named so or in a file named so, is not called on every
// request; a probe is, wherever it is written.
func inHandler(model *kvapi.Result, fn *ssa.Function) bool {
	if isProbe(fn) {
		return true
	}
	for f := fn; f != nil; f = f.Parent() {
		if model.Scheduled(f) {
			return false // a job given the request type, run once a tick
		}
	}
	if file := fn.Prog.Fset.Position(fn.Pos()).Filename; strings.Contains(strings.ToLower(filepath.Base(file)), "admin") {
		return false
	}
	for f := fn; f != nil; f = f.Parent() {
		if slices.ContainsFunc(kvapi.Words(f.Name()), func(w string) bool { return strings.EqualFold(w, "admin") }) || adminRoute(model, f) {
			return false
		}
	}
	for ; fn != nil; fn = fn.Parent() {
		if servesRequest(model, fn) {
			return true
		}
	}
	return false
}

// servesRequest reports whether fn itself serves a request: a ServeHTTP
// method, or a function given the request, typed so or as an interface
// that it asserts to the request's type (an endpoint's func(ctx, request
// any), req := request.(reportRequest)).
func servesRequest(model *kvapi.Result, fn *ssa.Function) bool {
	if fn.Name() == "ServeHTTP" && fn.Signature.Recv() != nil || model.EventCallback(fn) {
		return true // (or a handler of a broker's messages, a bot's updates)
	}
	if isProbe(fn) {
		return true
	}
	params := fn.Signature.Params()
	for i := 0; i < params.Len(); i++ {
		if carriesRequest(params.At(i).Type()) {
			return true
		}
	}
	for _, p := range fn.Params {
		if !types.IsInterface(p.Type()) {
			continue
		}
		for _, ref := range *p.Referrers() {
			if assert, ok := ref.(*ssa.TypeAssert); ok && carriesRequest(assert.AssertedType) {
				return true
			}
		}
	}
	return false
}

// isProbe reports whether fn answers a health probe (Health(ctx)), which
// load balancers and monitors poll every few seconds.
func isProbe(fn *ssa.Function) bool {
	return slices.ContainsFunc(kvapi.Words(fn.Name()), probeWord().MatchString)
}

// probeWord matches a word of the name of a health probe's answer.
var probeWord = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)^(health|healthz|healthcheck|liveness|livez|readiness|readyz)$`)
})

// madePerRequest reports whether fn is a closure made by a function of
// the package that only handlers call: a pipeline's stage built for each
// request (stampLastServed(cache) in the handler's list of stages), run
// by whatever runs the stages.
func madePerRequest(model *kvapi.Result, fn *ssa.Function) bool {
	if callers := tableCallers(model, fn); len(callers) > 0 {
		// A closure kept in a dispatch table of the receiver's
		// (m.handlers[msg.Type]) runs where the table is called.
		return !slices.ContainsFunc(callers, func(caller *ssa.Function) bool { return !inHandler(model, caller) })
	}
	if fn.Parent() == nil {
		return false
	}
	sites := model.CallSites(kvapi.Outermost(fn))
	return len(sites) > 0 && !slices.ContainsFunc(sites, func(site ssa.CallInstruction) bool { return !inHandler(model, site.Parent()) })
}

// tableCallers returns the functions that call fn through a dispatch
// table kept in a field: a closure stored in the map (m.handlers =
// map[string]func(...){"rates.pushed": func(...) {...}}, called as
// m.handlers[msg.Type](ctx, msg)), or a method of a value stored in a
// map of interfaces (b.strategies[u.Kind].Apply(...)). Nil when fn is
// not kept so.
func tableCallers(model *kvapi.Result, fn *ssa.Function) []*ssa.Function {
	field := tableField(model, fn)
	if field == nil {
		return nil
	}
	method := fn.Parent() == nil
	var callers []*ssa.Function
	for _, f := range model.Funcs() {
		for _, b := range f.Blocks {
			for _, instr := range b.Instrs {
				call, ok := instr.(ssa.CallInstruction)
				if !ok || call.Common().IsInvoke() != method || method && call.Common().Method.Name() != fn.Name() {
					continue
				}
				if looked := lookedUpIn(call.Common().Value); looked == field && !slices.Contains(callers, f) {
					callers = append(callers, f)
				}
			}
		}
	}
	return callers
}

// tableField returns the field of the map that holds fn: a closure as a
// value, stored by the function that makes it, or a value whose method
// fn is, stored as an interface.
func tableField(model *kvapi.Result, fn *ssa.Function) *types.Var {
	holds := func(v ssa.Value) bool { return kvapi.FuncValue(v) == fn }
	makers := []*ssa.Function{fn.Parent()}
	if fn.Parent() == nil {
		recv := fn.Signature.Recv()
		if recv == nil {
			return nil
		}
		holds = func(v ssa.Value) bool {
			mi, ok := v.(*ssa.MakeInterface)
			return ok && types.Identical(mi.X.Type(), recv.Type())
		}
		makers = model.Funcs()
	}
	for _, maker := range makers {
		for _, b := range maker.Blocks {
			for _, instr := range b.Instrs {
				upd, ok := instr.(*ssa.MapUpdate)
				if !ok || !holds(upd.Value) {
					continue
				}
				for _, ref := range *upd.Map.Referrers() {
					if st, ok := ref.(*ssa.Store); ok && st.Val == upd.Map {
						if fa, ok := st.Addr.(*ssa.FieldAddr); ok {
							return kvapi.FieldOf(fa)
						}
					}
				}
			}
		}
	}
	return nil
}

// lookedUpIn returns the field of the map that v, a function called, is
// looked up in: m.handlers[msg.Type], with or without comma-ok.
func lookedUpIn(v ssa.Value) *types.Var {
	if ext, ok := v.(*ssa.Extract); ok && ext.Index == 0 {
		v = ext.Tuple
	}
	lookup, ok := v.(*ssa.Lookup)
	if !ok {
		return nil
	}
	load, ok := lookup.X.(*ssa.UnOp)
	if !ok || load.Op != token.MUL {
		return nil
	}
	if fa, ok := load.X.(*ssa.FieldAddr); ok {
		return kvapi.FieldOf(fa)
	}
	return nil
}

// adminRoute reports whether fn is registered under an operator's or a
// scheduler's route, mux.Handle("POST /admin/publish", endpoint(func...)),
// r.Post("/cron/rollup", s.rollup): itself or wrapped by one call.
func adminRoute(model *kvapi.Result, fn *ssa.Function) bool {
	if fn.Parent() == nil {
		return declaredAdminRoute(model, fn)
	}
	var uses func(v ssa.Value, depth int) bool
	uses = func(v ssa.Value, depth int) bool {
		if depth > 2 || v.Referrers() == nil {
			return false
		}
		for _, ref := range *v.Referrers() {
			call, ok := ref.(*ssa.Call)
			if !ok {
				if conv, ok := ref.(ssa.Value); ok && uses(conv, depth+1) {
					return true // converted to http.HandlerFunc or an interface
				}
				continue
			}
			if adminPathIn(call) || uses(call, depth+1) {
				return true
			}
		}
		return false
	}
	for _, b := range fn.Parent().Blocks {
		for _, instr := range b.Instrs {
			if mc, ok := instr.(*ssa.MakeClosure); ok && mc.Fn == fn && uses(mc, 0) {
				return true
			}
		}
	}
	return uses(fn, 0) // a literal that captures nothing is a value itself
}

// declaredAdminRoute is adminRoute for a declared function or method,
// which SSA records no uses of: the calls of the package given it, or a
// wrapper of it, beside an operator's route.
func declaredAdminRoute(model *kvapi.Result, fn *ssa.Function) bool {
	var is func(v ssa.Value, depth int) bool
	is = func(v ssa.Value, depth int) bool {
		switch x := v.(type) {
		case *ssa.ChangeType:
			return is(x.X, depth)
		case *ssa.MakeInterface:
			return is(x.X, depth)
		case *ssa.Call:
			return depth == 0 && slices.ContainsFunc(x.Call.Args, func(a ssa.Value) bool { return is(a, depth+1) })
		}
		f := kvapi.FuncValue(v)
		if f != nil && f.Synthetic != "" {
			if m, ok := f.Object().(*types.Func); ok {
				f = f.Prog.FuncValue(m) // a method value, s.rollup
			}
		}
		return f == fn
	}
	for _, caller := range model.Funcs() {
		for _, b := range caller.Blocks {
			for _, instr := range b.Instrs {
				if call, ok := instr.(*ssa.Call); ok && adminPathIn(call) &&
					slices.ContainsFunc(call.Call.Args, func(a ssa.Value) bool { return is(a, 0) }) {
					return true
				}
			}
		}
	}
	return false
}

// adminPathIn reports whether call is given an operator's route pattern.
func adminPathIn(call *ssa.Call) bool {
	return slices.ContainsFunc(call.Call.Args, func(arg ssa.Value) bool {
		c, ok := arg.(*ssa.Const)
		return ok && c.Value != nil && c.Value.Kind() == constant.String && isAdminPath(constant.StringVal(c.Value))
	})
}

// isAdminPath reports whether a route pattern has an operator's segment,
// admin, or a scheduler's, cron, which its trigger hits once a tick.
func isAdminPath(pattern string) bool {
	return slices.ContainsFunc(strings.FieldsFunc(pattern, func(r rune) bool { return r == '/' || r == ' ' }), func(seg string) bool {
		return strings.EqualFold(seg, "admin") || strings.EqualFold(seg, "cron")
	})
}

// carriesRequest reports whether a parameter of type t hands a function
// the HTTP request it serves: the *http.Request, a struct of the
// program's own that holds it (an endpoint's call{r, session}), or the
// request decoded for it: a struct named so (BookRequest), or one that
// binds itself from an *http.Request, as generic handler adapters take.
func carriesRequest(t types.Type) bool {
	isRequest := func(t types.Type) bool { return types.TypeString(t, nil) == "*net/http.Request" }
	if isRequest(t) {
		return true
	}
	if p, ok := t.Underlying().(*types.Pointer); ok {
		t = p.Elem()
	}
	if decodedRequest(t) || givesRequest(t) {
		return true
	}
	st, ok := t.Underlying().(*types.Struct)
	if !ok {
		return false
	}
	for i := 0; i < st.NumFields(); i++ {
		if isRequest(st.Field(i).Type()) {
			return true
		}
	}
	return false
}

// givesRequest reports whether t has a method that hands out the request
// being served: a web framework's context, echo.Context's Request().
func givesRequest(t types.Type) bool {
	for _, recv := range []types.Type{t, types.NewPointer(t)} {
		if types.IsInterface(t) && recv != t {
			break
		}
		mset := types.NewMethodSet(recv)
		for i := range mset.Len() {
			sig := mset.At(i).Type().(*types.Signature)
			if sig.Params().Len() == 0 && sig.Results().Len() == 1 && types.TypeString(sig.Results().At(0).Type(), nil) == "*net/http.Request" {
				return true
			}
		}
	}
	return false
}

// decodedRequest reports whether t is a struct type of the program that
// holds a decoded request: named ...Request or ...Req, or with a method
// that fills it from the *http.Request (Bind, Decode).
func decodedRequest(t types.Type) bool {
	named, ok := types.Unalias(t).(*types.Named)
	if !ok || named.Obj().Pkg() == nil || kvapi.IsSDKPackage(named.Obj().Pkg().Path()) {
		return false
	}
	if _, isStruct := named.Underlying().(*types.Struct); !isStruct {
		return false
	}
	if name := named.Obj().Name(); strings.HasSuffix(name, "Request") || strings.HasSuffix(name, "Req") {
		return true
	}
	// Bind(r *http.Request) error; not a client's Do(r) (*Response, error).
	mset := types.NewMethodSet(types.NewPointer(named))
	for i := range mset.Len() {
		sig := mset.At(i).Type().(*types.Signature)
		if sig.Params().Len() == 1 && types.TypeString(sig.Params().At(0).Type(), nil) == "*net/http.Request" &&
			sig.Results().Len() == 1 && kvapi.IsError(sig.Results().At(0).Type()) {
			return true
		}
	}
	return false
}

// activityWords name keys that record what the latest request did: a
// last-seen stamp, a status, a heartbeat, a version or revision bumped
// by every write so that caches refetch. Other constant keys a handler
// writes (a setting, a published notice) change when someone acts, not on
// every request.
var activityWords = map[string]bool{"last": true, "latest": true, "recent": true, "recently": true, "status": true,
	"heartbeat": true, "seen": true, "newest": true, "visit": true, "visitor": true, "visited": true, "activity": true,
	"active": true, "progress": true, "current": true, "online": true, "ping": true, "health": true,
	"checkpoint": true, "updated": true, "changed": true, "modified": true, "dirty": true, "touched": true, "served": true, "serving": true, "request": true, "traffic": true,
	"presence": true, "alive": true, "lastseen": true, "beat": true, "pulse": true,
	"version": true, "revision": true, "generation": true, "epoch": true, "etag": true, "summary": true, "stats": true}

// activityKey reports whether a word of key is an activity word, also
// as a plural or with the z of a health check: heartbeats, healthz; or
// one run together after "last": lastlogin, lastviewed.
func activityKey(key string) bool {
	for _, w := range kvapi.Words(key) {
		w = strings.ToLower(w)
		if activityWords[w] || activityWords[strings.TrimSuffix(w, "s")] || activityWords[strings.TrimSuffix(w, "z")] ||
			len(w) > len("last") && strings.HasPrefix(w, "last") && w != "lastname" {
			return true
		}
	}
	return false
}
