package kvapi

import (
	"go/constant"
	"go/token"
	"go/types"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/tools/go/ssa"
)

// A Step is one value on the way back from a sink to what it is
// computed from, as Backward visits it.
type Step struct {
	Value ssa.Value
	// Changed is set once the way from the sink to Value has passed
	// through a computation that changes the value: arithmetic, a call,
	// a store into a field. A value written back unchanged, or merely
	// converted between string and []byte, is not changed.
	Changed bool
	// fields is the path, outermost first, to the part of Value that the
	// sink reads (t.customer of a struct t): stores into Value's other
	// fields are no part of it. Empty for the whole value.
	fields []*types.Var
}

// Part reports whether the sink reads only a part of Value, one of its
// fields.
func (s Step) Part() bool { return len(s.fields) > 0 }

// keep returns s.fields if they name a part of a value of type t (or of
// what t points to or holds), else none: a flow that leaves the struct
// loses track of the part.
func (s Step) keep(t types.Type) []*types.Var {
	if len(s.fields) == 0 {
		return nil
	}
	for range 4 {
		// What a pointer, slice, array, map or channel holds.
		if holder, ok := t.Underlying().(interface{ Elem() types.Type }); ok {
			t = holder.Elem()
			continue
		}
		if st, ok := t.Underlying().(*types.Struct); ok {
			for i := range st.NumFields() {
				if st.Field(i).Origin() == s.fields[0] {
					return s.fields
				}
			}
		}
		break
	}
	return nil
}

// key tells apart the walks of one value for different parts of it.
func (s Step) key() step {
	k := step{v: s.Value, changed: s.Changed}
	for _, f := range s.fields {
		k.fields += strconv.Itoa(int(f.Pos())) + f.Name() + "."
	}
	return k
}

// Backward walks the values that v is computed from, in v's function and
// the functions enclosing a closure, calling visit for each until it
// returns true; it reports whether it did. Memory is followed: a value
// loaded from a variable comes from what was stored there, and from the
// calls that were given its address (json.Unmarshal(data, &v)) — but only
// from stores and calls that can happen before sink, so that a
// read-through cache's early return is not mistaken for a flow.
func (r *Result) Backward(v ssa.Value, sink ssa.Instruction, visit func(Step) bool) bool {
	w := &walker{model: r, sink: sink, visit: visit, seen: make(map[step]bool)}
	return w.walk(Step{Value: v}, 0)
}

// BackwardAvoiding is Backward, visiting but not walking past the values
// in avoid: the get whose failure leads to a write is not what the
// write's value is made of.
func (r *Result) BackwardAvoiding(v ssa.Value, sink ssa.Instruction, avoid []ssa.Value, visit func(Step) bool) bool {
	w := &walker{model: r, sink: sink, visit: visit, seen: make(map[step]bool), avoid: avoid}
	return w.walk(Step{Value: v}, 0)
}

type step struct {
	v       ssa.Value
	changed bool
	fields  string
}

// BackwardPruned is Backward, visiting but not walking past the values
// for which prune is true.
func (r *Result) BackwardPruned(v ssa.Value, sink ssa.Instruction, prune func(Step) bool, visit func(Step) bool) bool {
	w := &walker{model: r, sink: sink, visit: visit, seen: make(map[step]bool), prune: prune}
	return w.walk(Step{Value: v}, 0)
}

type walker struct {
	model *Result
	sink  ssa.Instruction
	visit func(Step) bool
	seen  map[step]bool
	avoid []ssa.Value
	prune func(Step) bool
}

func (w *walker) walk(s Step, depth int) bool {
	if s.Value == nil || depth > 64 {
		return false
	}
	k := s.key()
	if w.seen[k] {
		return false
	}
	w.seen[k] = true
	if w.visit(s) {
		return true
	}
	if slices.Contains(w.avoid, s.Value) || w.prune != nil && w.prune(s) {
		return false
	}
	// next walks v as the same value (or a copy), the same part of it.
	next := func(v ssa.Value, changes bool) bool {
		if v == nil {
			return false
		}
		return w.walk(Step{Value: v, Changed: s.Changed || changes, fields: s.keep(v.Type())}, depth+1)
	}
	// part walks the field of v that this value is.
	part := func(v ssa.Value, field *types.Var, changes bool) bool {
		if field == nil {
			return next(v, changes)
		}
		return w.walk(Step{Value: v, Changed: s.Changed || changes, fields: append([]*types.Var{field}, s.fields...)}, depth+1)
	}
	if w.elementUpdates(s.Value, depth) {
		return true
	}
	if !s.Changed && w.storedThrough(s.Value) {
		// A record a call handed back, changed in place before the sink:
		// app.Status = status, then app written.
		return w.walk(Step{Value: s.Value, Changed: true}, depth+1)
	}
	switch v := s.Value.(type) {
	case *ssa.Phi:
		for _, e := range v.Edges {
			if next(e, false) {
				return true
			}
		}
		return false
	case *ssa.ChangeType:
		return next(v.X, false)
	case *ssa.MakeInterface:
		return next(v.X, false)
	case *ssa.TypeAssert:
		if _, isPtr := v.AssertedType.Underlying().(*types.Pointer); isPtr && next(v.X, false) {
			return true
		} else if isPtr {
			// A buffer taken from a pool, buf := pool.Get().(*bytes.Buffer):
			// filled by the calls given it before the sink, as one made
			// here is (json.NewEncoder(buf).Encode(v)).
			return w.memory(v, s, depth, w.sink)
		}
		return next(v.X, false)
	case *ssa.Slice:
		return next(v.X, false)
	case *ssa.Extract:
		if pw := pipeWriter(v); pw != nil && w.pipedInto(pw, depth) {
			return true
		}
		// A key of a range over a map: what was stored under it.
		if it, ok := v.Tuple.(*ssa.Next); ok && v.Index == 1 && !it.IsString {
			if rng, ok := it.Iter.(*ssa.Range); ok {
				for _, up := range MapUpdates(rng.X) {
					if next(up.Key, false) {
						return true
					}
				}
			}
		}
		if sel, ok := v.Tuple.(*ssa.Select); ok && v.Index >= 2 {
			// A value received in a select: what its channel carries.
			if ch := receivedOn(sel, v.Index-2); ch != nil {
				for _, sent := range w.model.sentOn(ch) {
					if next(sent.value, false) {
						return true
					}
				}
				return !w.model.foreignResult(ch) && next(ch, true)
			}
		}
		return next(v.Tuple, false)
	case *ssa.Convert:
		return next(v.X, !sameRepresentation(v.Type(), v.X.Type()))
	case *ssa.UnOp:
		if v.Op == token.ARROW {
			// A value received from a channel: what the package sends on
			// it, key by key to a pool of workers.
			for _, sent := range w.model.sentOn(v.X) {
				if next(sent.value, false) {
					return true
				}
			}
			if w.model.foreignResult(v.X) {
				// A library's channel (bot.GetUpdatesChan(cfg)) carries
				// what the library receives, not what it was set up with.
				return false
			}
		}
		if v.Op != token.MUL {
			return next(v.X, true)
		}
		switch addr := v.X.(type) {
		case *ssa.Alloc, *ssa.FieldAddr, *ssa.IndexAddr, *ssa.FreeVar:
			// A load: what was in memory when it ran (for a captured
			// variable, also what the closure stored in it).
			return next(addr, false) || w.memory(addr, s, depth, v)
		}
		return next(v.X, false)
	case *ssa.FreeVar:
		return next(w.model.binding(v), false)
	case *ssa.Alloc:
		return w.memory(v, s, depth, w.sink)
	case *ssa.FieldAddr:
		// A part of a value: what was stored there, or the value itself,
		// lk.Name of a key in page.Keys.
		return w.memory(v, s, depth, w.sink) || part(v.X, FieldOf(v), false)
	case *ssa.Field:
		// Only what went into this field: a struct built with a name and
		// a sum gives its name no arithmetic.
		return part(v.X, FieldOfValue(v), true)
	case *ssa.IndexAddr:
		return w.memory(v, s, depth, w.sink) || next(v.X, false)
	case *ssa.Lookup:
		return w.operands(v, s, depth) || w.mapUpdates(v, s, depth)
	case *ssa.Parameter:
		// A batch or an element of a range over the standard library's
		// iterators holds what the slice or map ranged over holds:
		// for chunk := range slices.Chunk(page.Keys, 50), for k, n := range
		// maps.All(counts).
		if s, ok := rangedOver(v, "slices.Chunk", "slices.Values", "slices.All", "slices.Backward", "maps.All", "maps.Values"); ok {
			return next(s, false)
		}
		// A pointer the function is given, filled before the sink by a
		// decoder given it: out of b.decode(raw, out) in a template's
		// Modify, whose hook is set by each concrete store.
		if w.sink != nil && isReference(v.Type()) {
			for _, user := range *v.Referrers() {
				call, ok := user.(ssa.CallInstruction)
				if !ok || !decodesInto(call, v, 0) || !w.before(call, w.sink) {
					continue
				}
				for _, a := range call.Common().Args {
					if a != ssa.Value(v) && next(a, true) {
						return true
					}
				}
			}
		}
		// So does the element a slices function hands its callback:
		// slices.DeleteFunc(ids, func(id string) bool {...}).
		if s := calledOnElements(v); s != nil {
			return next(s, false)
		}
		// A parameter of a closure called in place, go func(old string)
		// {...}(old), or of an unexported helper that builds the options
		// (params := t.update(b)): what its calls in the package pass.
		if fn := v.Parent(); fn.Parent() != nil || fn.Object() != nil && !fn.Object().Exported() {
			for _, arg := range w.model.argsFor(v) {
				if next(arg, false) {
					return true
				}
			}
		}
		return false
	case *ssa.Call:
		if w.operands(v, Step{Value: v, Changed: true}, depth) {
			return true
		}
		// A call given a function may return what that function returns:
		// a runner, a retry loop, a loader (call(ctx, func() (string,
		// error) { return ns.GetString(key, nil) })).
		for _, arg := range v.Call.Args {
			if fn := FuncValue(arg); fn != nil && w.returns(fn, s, depth) {
				return true
			}
		}
		// A closure of the function, called: what it returns (apply :=
		// func(have int) int { return have - n }; left := apply(have)).
		if fn := FuncValue(v.Call.Value); fn != nil && fn.Parent() != nil && w.returns(fn, s, depth) {
			return true
		}
		// A pointer it made is filled by the calls given it before the
		// sink: io.Copy(w, r) into a writer that a later Close sends.
		if _, isPtr := v.Type().Underlying().(*types.Pointer); isPtr {
			return w.memory(v, s, depth, w.sink)
		}
		return false
	}
	if instr, ok := s.Value.(ssa.Instruction); ok {
		return w.operands(instr, Step{Value: s.Value, Changed: true}, depth)
	}
	return false
}

// ComputedHere reports whether v is, or is computed in its function and
// not through memory from, a value that visit finds: the operands of its
// instructions, a few deep, but not what a variable holds, nor past a
// value where visit says to stop.
func ComputedHere(v ssa.Value, visit func(ssa.Value) (found, stop bool)) bool {
	return computedHere(v, visit, 0)
}

func computedHere(v ssa.Value, visit func(ssa.Value) (found, stop bool), depth int) bool {
	if depth > 6 || v == nil {
		return false
	}
	if found, stop := visit(v); found || stop {
		return found
	}
	instr, ok := v.(ssa.Instruction)
	if !ok {
		return false
	}
	if _, isAlloc := v.(*ssa.Alloc); isAlloc {
		return false
	}
	for _, op := range instr.Operands(nil) {
		if *op != nil && computedHere(*op, visit, depth+1) {
			return true
		}
	}
	return false
}

// receivedOn returns the channel of the i'th receive of sel, which its
// results count after the index and the ok.
func receivedOn(sel *ssa.Select, i int) ssa.Value {
	for _, st := range sel.States {
		if st.Dir != types.RecvOnly {
			continue
		}
		if i == 0 {
			return st.Chan
		}
		i--
	}
	return nil
}

// foreignResult reports whether v is a result of a call to a function of
// another package that is not the standard library, whose body is not read
// here.
func (r *Result) foreignResult(v ssa.Value) bool {
	if x, ok := v.(*ssa.Extract); ok {
		v = x.Tuple
	}
	call, ok := v.(*ssa.Call)
	return ok && r.otherPackage(&call.Call)
}

// pipeWriter returns the writer end of the io.Pipe whose reader end r
// is, or nil.
func pipeWriter(r *ssa.Extract) ssa.Value {
	call, ok := r.Tuple.(*ssa.Call)
	if !ok || r.Index != 0 || CalleeName(call) != "io.Pipe" {
		return nil
	}
	for _, ref := range *call.Referrers() {
		if x, ok := ref.(*ssa.Extract); ok && x.Index == 1 {
			return x
		}
	}
	return nil
}

// pipedInto walks what is written into pw, the writer end of a pipe (see
// pipeWrites), as a goroutine fills the pipe that a put then reads.
func (w *walker) pipedInto(pw ssa.Value, depth int) bool {
	calls, writers := pipeWrites(pw)
	for _, call := range calls {
		for _, arg := range call.Common().Args {
			if !writers[arg] && w.walk(Step{Value: arg, Changed: true}, depth+1) {
				return true
			}
		}
	}
	return false
}

// pipeWrites returns the calls given pw, the writer end of a pipe, or a
// writer made from it (json.NewEncoder(pw).Encode(v)), here or in a
// closure that captures it; and the writers, pw among them.
func pipeWrites(pw ssa.Value) ([]ssa.CallInstruction, map[ssa.Value]bool) {
	var calls []ssa.CallInstruction
	writers := make(map[ssa.Value]bool)
	var uses func(v ssa.Value, n int)
	uses = func(v ssa.Value, n int) {
		if n > maxDepth || writers[v] || v.Referrers() == nil {
			return
		}
		writers[v] = true
		for _, ref := range *v.Referrers() {
			switch ref := ref.(type) {
			case *ssa.MakeClosure:
				fn := ref.Fn.(*ssa.Function)
				for i, b := range ref.Bindings {
					if b == v {
						uses(fn.FreeVars[i], n+1)
					}
				}
			case *ssa.MakeInterface:
				uses(ref, n+1)
			case *ssa.Store:
				// The writer kept in a variable that a closure captures.
				if ref.Val == v {
					uses(ref.Addr, n+1)
				}
			case *ssa.UnOp:
				if ref.Op == token.MUL {
					uses(ref, n+1)
				}
			case ssa.CallInstruction:
				calls = append(calls, ref)
				if call, ok := ref.(*ssa.Call); ok {
					uses(call, n+1)
				}
			}
		}
	}
	uses(pw, 0)
	return calls, writers
}

// elementUpdates walks what was stored into the map m itself before the
// sink: agg[target]++ changes the map that is then written.
func (w *walker) elementUpdates(m ssa.Value, depth int) bool {
	if _, isMap := m.Type().Underlying().(*types.Map); !isMap {
		return false
	}
	refs := m.Referrers()
	if refs == nil {
		return false
	}
	for _, ref := range *refs {
		if up, ok := ref.(*ssa.MapUpdate); ok && up.Map == m && (w.sink == nil || w.before(up, w.sink)) &&
			w.walk(Step{Value: up.Value, Changed: true}, depth+1) {
			return true
		}
		// A get wrapper that fills the map it is given: ix.Load(ctx, s, key).
		if call, ok := ref.(*ssa.Call); ok && (w.sink == nil || w.before(call, w.sink)) && w.model.fillsArg(call, m) &&
			w.walk(Step{Value: call, Changed: true}, depth+1) {
			return true
		}
	}
	return false
}

// fillsArg reports whether call is of a get wrapper that puts what it
// reads into v, one of its arguments (see outParams).
func (r *Result) fillsArg(call *ssa.Call, v ssa.Value) bool {
	for _, op := range r.OpsAt(call) {
		if op.Wrapped != nil && slices.ContainsFunc(op.Wrapped.Out, func(i int) bool { return i < len(op.Args) && op.Args[i] == v }) {
			return true
		}
	}
	return false
}

// storedThrough reports whether v, a pointer that a call returned, has
// one of its fields stored into before the sink.
func (w *walker) storedThrough(v ssa.Value) bool {
	switch v.(type) {
	case *ssa.Call, *ssa.Extract:
	default:
		return false
	}
	if _, isPtr := v.Type().Underlying().(*types.Pointer); !isPtr {
		return false
	}
	for _, p := range pointerCopies(v) {
		for _, user := range *p.Referrers() {
			fa, ok := user.(*ssa.FieldAddr)
			if !ok || fa.X != p {
				continue
			}
			for _, ref := range *fa.Referrers() {
				if store, ok := ref.(*ssa.Store); ok && store.Addr == fa && w.before(store, w.sink) {
					return true
				}
			}
		}
	}
	return false
}

// pointerCopies returns v and its loads from a variable v alone is stored
// in, as a record that a closure captures is kept: seat, err := Find(...);
// seat.Holders = ...; retry(func() error { return seat.Save(ctx) }).
func pointerCopies(v ssa.Value) []ssa.Value {
	copies := []ssa.Value{v}
	for _, user := range *v.Referrers() {
		store, ok := user.(*ssa.Store)
		if !ok || store.Val != v || storedOnce(store.Addr) != v {
			continue
		}
		for _, ref := range *store.Addr.Referrers() {
			if load, ok := ref.(*ssa.UnOp); ok && load.Op == token.MUL && load.X == store.Addr {
				copies = append(copies, load)
			}
		}
	}
	return copies
}

// mapUpdates walks what was stored in the map that lookup reads: m[k]++
// writes a value that a later m[k] reads.
func (w *walker) mapUpdates(lookup *ssa.Lookup, s Step, depth int) bool {
	load, ok := lookup.X.(*ssa.UnOp)
	if _, isMap := lookup.X.Type().Underlying().(*types.Map); !isMap || !ok || load.Op != token.MUL {
		return false
	}
	var loads []*ssa.UnOp
	for _, addr := range w.sameAddresses(load.X) {
		for _, user := range w.model.users(addr) {
			if other, ok := user.(*ssa.UnOp); ok && other.Op == token.MUL && other.X == addr {
				loads = append(loads, other)
			}
		}
	}
	for _, other := range loads {
		for _, ref := range *other.Referrers() {
			if up, ok := ref.(*ssa.MapUpdate); ok && up.Map == other && w.before(up, lookup) &&
				w.walk(Step{Value: up.Value, Changed: true}, depth+1) {
				return true
			}
		}
	}
	return false
}

// MapUpdates returns the updates in its package of the map m: its own, or
// for a map kept in a variable those through every load of it, or for a
// map a call of the package returned those of the maps the callee returns.
func MapUpdates(m ssa.Value) []*ssa.MapUpdate { return mapUpdatesOf(m, 0) }

func mapUpdatesOf(m ssa.Value, depth int) []*ssa.MapUpdate {
	if depth > 3 {
		return nil
	}
	views := []ssa.Value{m}
	switch m := m.(type) {
	case *ssa.UnOp:
		if _, ok := m.X.(*ssa.Alloc); !ok || m.Op != token.MUL {
			return nil
		}
		views = nil
		for _, ref := range *m.X.Referrers() {
			if load, ok := ref.(*ssa.UnOp); ok && load.Op == token.MUL {
				views = append(views, load)
			}
		}
	case *ssa.Call:
		callee := m.Call.StaticCallee()
		if callee == nil || callee.Pkg != m.Parent().Pkg {
			return nil
		}
		var out []*ssa.MapUpdate
		for _, b := range callee.Blocks {
			if ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return); ok && len(ret.Results) == 1 {
				out = append(out, mapUpdatesOf(ret.Results[0], depth+1)...)
			}
		}
		return out
	case *ssa.MakeMap:
	default:
		return nil
	}
	var out []*ssa.MapUpdate
	for _, view := range views {
		for _, ref := range *view.Referrers() {
			if up, ok := ref.(*ssa.MapUpdate); ok && up.Map == view {
				out = append(out, up)
			}
		}
	}
	return out
}

// sameAddresses returns addr and the other addresses of the same field of
// the same struct: m.views in m.views[k]++ and in a later m.views[k].
func (w *walker) sameAddresses(addr ssa.Value) []ssa.Value {
	fa, ok := addr.(*ssa.FieldAddr)
	if !ok {
		return []ssa.Value{addr}
	}
	var out []ssa.Value
	for _, user := range w.model.users(fa.X) {
		if other, ok := user.(*ssa.FieldAddr); ok && other.X == fa.X && other.Field == fa.Field {
			out = append(out, other)
		}
	}
	return out
}

// DecidedByError reports whether put runs only past a branch, after get,
// that tests which error a call other than a KV get returned
// (errors.Is(err, ErrUnknownFlight)): what an upstream answered decides
// the write, not what get found.
func (r *Result) DecidedByError(get, put *Op) bool {
	from, to := get.Call.Block(), put.Call.Block()
	for _, b := range put.Call.Parent().Blocks {
		br, ok := b.Instrs[len(b.Instrs)-1].(*ssa.If)
		if !ok || b == to || !from.Dominates(b) || !b.Dominates(to) {
			continue
		}
		if r.failedUpstream(br, get, to) {
			return true // a failure remembered: if err != nil { Put("feedfail:"+id, ...) }
		}
		test, ok := br.Cond.(*ssa.Call)
		if !ok || len(test.Call.Args) == 0 || CalleeName(test) != "errors.Is" && CalleeName(test) != "errors.As" {
			continue
		}
		// The error of a call with more results, or with none but it
		// (sendErr := s.Send(ctx, ev)).
		var call *ssa.Call
		switch arg := test.Call.Args[0].(type) {
		case *ssa.Extract:
			call, _ = arg.Tuple.(*ssa.Call)
		case *ssa.Call:
			call = arg
		}
		if call != nil && IsError(test.Call.Args[0].Type()) && call != get.Call && len(r.OpsAt(call)) == 0 {
			return true
		}
	}
	return false
}

// failedUpstream reports whether br tests that a call other than the get,
// and not of its key, failed (err != nil, or an HTTP status of 4xx or 5xx),
// with block to only on the side where it did.
func (r *Result) failedUpstream(br *ssa.If, get *Op, to *ssa.BasicBlock) bool {
	cmp, ok := br.Cond.(*ssa.BinOp)
	if !ok || cmp.Op != token.NEQ && cmp.Op != token.EQL {
		return false
	}
	x, y := cmp.X, cmp.Y
	if _, isConst := x.(*ssa.Const); isConst {
		x, y = y, x
	}
	c, isConst := y.(*ssa.Const)
	ext, isExtract := x.(*ssa.Extract)
	if !isConst || !isExtract {
		return false
	}
	call, ok := ext.Tuple.(*ssa.Call)
	if !ok || call == get.Call || slices.ContainsFunc(r.OpsAt(call), func(op *Op) bool { return r.Same(op, get, Key) }) {
		return false // (a call that reads other keys, a webhook's payload, may answer)
	}
	failed := br.Block().Succs[0]
	switch {
	case c.IsNil() && IsError(x.Type()): // err != nil
		if slices.ContainsFunc(r.OpsAt(call), func(op *Op) bool { return op.Method.Role == Get }) {
			return false // the miss of another check leads on to a claim
		}
		if cmp.Op == token.EQL {
			failed = br.Block().Succs[1]
		}
	case statusTest(cmp, x):
		// code == http.StatusTooManyRequests || code == 503: the upstream
		// said no, by any of the statuses tested.
		for _, pred := range failed.Preds {
			if other, ok := pred.Instrs[len(pred.Instrs)-1].(*ssa.If); !ok || pred.Succs[0] != failed || !statusTest(other.Cond, x) {
				return false
			}
		}
		return failed.Dominates(to)
	default:
		return false
	}
	return len(failed.Preds) == 1 && failed.Dominates(to)
}

// statusTest reports whether cond is v == N for an HTTP error status N.
func statusTest(cond, v ssa.Value) bool {
	cmp, ok := cond.(*ssa.BinOp)
	if !ok || cmp.Op != token.EQL || cmp.X != v && cmp.Y != v {
		return false
	}
	c, ok := cmp.Y.(*ssa.Const)
	if cmp.Y == v {
		c, ok = cmp.X.(*ssa.Const)
	}
	if !ok || c.Value == nil || c.Value.Kind() != constant.Int {
		return false
	}
	n, exact := constant.Int64Val(c.Value)
	return exact && n >= 400 && n <= 599
}

// calledFunc returns the function that common calls, when there is one:
// a static callee, or a closure captured or kept in a variable set once.
func calledFunc(common *ssa.CallCommon) *ssa.Function {
	if callee := common.StaticCallee(); callee != nil || common.IsInvoke() {
		return callee
	}
	v := common.Value
	if fv, ok := v.(*ssa.FreeVar); ok {
		if bound := Binding(fv); bound != nil {
			v = bound
		}
	}
	return FuncValue(v)
}

// SameRead reports whether a and b compute the same value: the same SSA
// value, or the same field read twice (e.TenantID in m[e.TenantID] =
// append(m[e.TenantID], e); req.PlayerID, compared and then written).
func SameRead(a, b ssa.Value) bool {
	if a == b {
		return true
	}
	switch a := a.(type) {
	case *ssa.Field:
		b, ok := b.(*ssa.Field)
		return ok && a.Field == b.Field && SameRead(a.X, b.X)
	case *ssa.FieldAddr:
		b, ok := b.(*ssa.FieldAddr)
		return ok && a.Field == b.Field && SameRead(a.X, b.X)
	case *ssa.UnOp:
		b, ok := b.(*ssa.UnOp)
		return ok && a.Op == token.MUL && b.Op == token.MUL && SameRead(a.X, b.X)
	}
	return false
}

// FuncValue returns the function that v, a function value, is: a
// closure, or a function or method of this program named as a value,
// or loaded from a variable set once to one, which closures may share
// (inc calls read of inc, read := NewTally(...), both its results).
func FuncValue(v ssa.Value) *ssa.Function {
	switch v := v.(type) {
	case *ssa.MakeClosure:
		fn, _ := v.Fn.(*ssa.Function)
		return fn
	case *ssa.Function:
		return v
	case *ssa.UnOp:
		if v.Op != token.MUL {
			return nil
		}
		addr := v.X
		if fv, ok := addr.(*ssa.FreeVar); ok {
			addr = Binding(fv)
		}
		if alloc, ok := addr.(*ssa.Alloc); ok {
			if fn := FuncValue(setOnce(alloc)); fn != nil && fn.Parent() != nil {
				return fn
			}
		}
	}
	return nil
}

// returns walks what fn returns (the part of it that s is), changed by
// the call that runs it.
func (w *walker) returns(fn *ssa.Function, s Step, depth int) bool {
	for _, b := range fn.Blocks {
		if ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return); ok {
			for _, res := range ret.Results {
				if !IsError(res.Type()) && w.walk(Step{Value: res, Changed: true, fields: s.keep(res.Type())}, depth+1) {
					return true
				}
			}
		}
	}
	return false
}

// operands walks every operand of instr.
func (w *walker) operands(instr ssa.Instruction, s Step, depth int) bool {
	for _, op := range instr.Operands(nil) {
		if *op == nil {
			continue
		}
		if _, isFunc := (*op).(*ssa.Function); isFunc {
			continue
		}
		if w.walk(Step{Value: *op, Changed: s.Changed}, depth+1) {
			return true
		}
	}
	return false
}

// memory walks what was put at addr, or at any part of the variable it
// belongs to, before reader reads it: stores, and calls given its address,
// unless a store of the whole variable overwrote them on every path.
func (w *walker) memory(addr ssa.Value, s Step, depth int, reader ssa.Instruction) bool {
	root := addr
	// The fields from root to the part read: stores into other fields of
	// the variable are not walked.
	path := s.fields
	for {
		switch a := root.(type) {
		case *ssa.FieldAddr:
			if f := FieldOf(a); f != nil {
				path = append([]*types.Var{f}, path...)
			}
			root = a.X
			continue
		case *ssa.IndexAddr:
			if _, isPtr := a.X.Type().Underlying().(*types.Pointer); isPtr {
				root = a.X
				continue
			}
		}
		break
	}
	var wholeStores []*ssa.Store // overwrite the variable, killing what came before
	if refs := root.Referrers(); refs != nil {
		for _, user := range *refs {
			if store, ok := user.(*ssa.Store); ok && store.Addr == root {
				wholeStores = append(wholeStores, store)
			}
		}
	}
	// A store of the whole that every way to the reader passes kills what
	// came before it: what ran before it on every way (it dominates), or
	// what cannot run after it (a decode on a branch that returned early,
	// then c = Card{...}).
	killed := func(instr ssa.Instruction) bool {
		for _, store := range wholeStores {
			if store == instr || reader == nil || !dominates(store, reader) || store.Parent() != instr.Parent() {
				continue
			}
			if dominates(instr, store) || instr.Block() != store.Block() && !Reaches(store.Block(), instr.Block()) {
				return true
			}
		}
		return false
	}
	// filledBy walks what the call given v (or, for nil, v among its
	// variadic arguments) fills it with: its arguments, the receiver of
	// an interface's method, what it returns.
	filledBy := func(user ssa.CallInstruction, v ssa.Value) bool {
		if !w.before(user, reader) || killed(user) || user.Value() != nil && slices.Contains(w.avoid, ssa.Value(user.Value())) || v != nil && w.model.notFilled(user, v) || succeedsAway(user, reader) {
			return false
		}
		args := user.Common().Args
		if user.Common().IsInvoke() {
			args = append([]ssa.Value{user.Common().Value}, args...) // rows.Scan(&id): what rows holds
		}
		for _, a := range args {
			if a != v && w.walk(Step{Value: a, Changed: true}, depth+1) {
				return true
			}
		}
		// The call itself may be the source: a get wrapper that
		// decodes into the variable, store.GetJSON(key, &v).
		if call, ok := user.(*ssa.Call); ok && w.walk(Step{Value: call, Changed: true}, depth+1) {
			return true
		}
		// Or it made a writer into the variable, whose calls fill it:
		// json.NewEncoder(&buf).Encode(cart).
		if call, ok := user.(*ssa.Call); ok && w.writesThrough(call, depth, reader) {
			return true
		}
		return false
	}
	// parts walks what was put at v, a part of the variable; rest is what
	// remains of path below v.
	var parts func(v ssa.Value, into bool, rest []*types.Var) bool
	parts = func(v ssa.Value, into bool, rest []*types.Var) bool {
		refs := v.Referrers()
		if refs == nil {
			return false
		}
		for _, user := range *refs {
			switch user := user.(type) {
			case *ssa.Store:
				// A store into a part of the variable changes it, unless it
				// is the whole of what the sink reads.
				if user.Addr == v && w.before(user, reader) && !killed(user) {
					stored := Step{Value: user.Val, Changed: s.Changed || v != addr || w.setInPartAfter(addr, user, reader), fields: rest}
					if w.walk(Step{Value: user.Val, Changed: stored.Changed, fields: stored.keep(user.Val.Type())}, depth+1) {
						return true
					}
				}
			case *ssa.FieldAddr:
				if user.X != v {
					continue
				}
				if len(rest) == 0 {
					if parts(user, true, nil) {
						return true
					}
				} else if f := FieldOf(user); (f == nil || f == rest[0]) && parts(user, true, rest[1:]) {
					return true
				}
			case *ssa.IndexAddr:
				if user.X == v && parts(user, true, rest) {
					return true
				}
			case *ssa.UnOp:
				// A map held in a part of the variable, changed through
				// the map: t.Counts[option]++.
				if into && user.Op == token.MUL && user.X == v && w.updatedMap(user, depth, reader, killed) {
					return true
				}
			case *ssa.MakeInterface:
				// &v passed as an interface: json.Unmarshal(data, &v).
				if parts(user, into, rest) {
					return true
				}
			case *ssa.ChangeType:
				if parts(user, into, rest) {
					return true
				}
			case *ssa.MakeClosure:
				// A closure made before the reader that sets the variable
				// it captures: s.do(ctx, func() error { val, err =
				// ns.GetString(key, nil); return err }).
				if !w.before(user, reader) {
					continue
				}
				fn := user.Fn.(*ssa.Function)
				for i, b := range user.Bindings {
					if b != v {
						continue
					}
					for _, ref := range *fn.FreeVars[i].Referrers() {
						if st, ok := ref.(*ssa.Store); ok && st.Addr == fn.FreeVars[i] && w.walk(Step{Value: st.Val, Changed: s.Changed}, depth+1) {
							return true
						}
					}
				}
			case ssa.CallInstruction:
				if filledBy(user, v) {
					return true
				}
			}
			// Or handed among a call's variadic arguments:
			// row.Scan(&sum.ID, &sum.Title).
			for _, call := range variadicCalls(user, v) {
				if filledBy(call, nil) {
					return true
				}
			}
		}
		return false
	}
	if parts(root, false, path) {
		return true
	}
	if _, isAlloc := root.(*ssa.Alloc); !isAlloc {
		// Memory that something else handed over, resp.Body of a response:
		// what it holds comes from where it came from.
		whole := Step{Value: root, Changed: s.Changed, fields: path}
		return w.walk(Step{Value: root, Changed: s.Changed, fields: whole.keep(root.Type())}, depth+1)
	}
	return false
}

// variadicCalls returns the calls that are handed v, an address made an
// interface, among their variadic arguments when user stores it there:
// Scan(dest ...any) given &sum.ID.
func variadicCalls(user ssa.Instruction, v ssa.Value) []ssa.CallInstruction {
	store, ok := user.(*ssa.Store)
	if !ok || store.Val != v {
		return nil
	}
	elem, ok := store.Addr.(*ssa.IndexAddr)
	if !ok {
		return nil
	}
	array, ok := elem.X.(*ssa.Alloc)
	if !ok {
		return nil
	}
	var calls []ssa.CallInstruction
	for _, ref := range *array.Referrers() {
		slice, ok := ref.(*ssa.Slice)
		if !ok {
			continue
		}
		for _, use := range *slice.Referrers() {
			if call, ok := use.(ssa.CallInstruction); ok && call.Common().Signature().Variadic() && slices.Contains(call.Common().Args, ssa.Value(slice)) {
				calls = append(calls, call)
			}
		}
	}
	return calls
}

// updatedMap walks the values stored, before reader, into the map that
// load reads from a field.
func (w *walker) updatedMap(load *ssa.UnOp, depth int, reader ssa.Instruction, killed func(ssa.Instruction) bool) bool {
	if _, isMap := load.Type().Underlying().(*types.Map); !isMap {
		return false
	}
	for _, ref := range *load.Referrers() {
		if up, ok := ref.(*ssa.MapUpdate); ok && up.Map == load && w.before(up, reader) && !killed(up) &&
			w.walk(Step{Value: up.Value, Changed: true}, depth+1) {
			return true
		}
	}
	return false
}

// writesThrough walks the arguments of the calls made on what call
// returned, a writer or encoder over memory that call was given.
func (w *walker) writesThrough(call *ssa.Call, depth int, reader ssa.Instruction) bool {
	refs := call.Referrers()
	if refs == nil {
		return false
	}
	for _, user := range *refs {
		use, ok := user.(ssa.CallInstruction)
		if !ok || !w.before(use, reader) {
			continue
		}
		common := use.Common()
		if common.Value != call && (len(common.Args) == 0 || common.Args[0] != call) {
			continue // not a method of what call returned
		}
		for _, a := range common.Args {
			if a != call && w.walk(Step{Value: a, Changed: true}, depth+1) {
				return true
			}
		}
	}
	return false
}

// setInPartAfter reports whether a field of the variable at addr is set
// after whole is stored into it and before reader: a record read into a
// variable, p.Digest = freq, then written back changed.
func (w *walker) setInPartAfter(addr ssa.Value, whole *ssa.Store, reader ssa.Instruction) bool {
	for _, user := range *addr.Referrers() {
		fa, ok := user.(*ssa.FieldAddr)
		if !ok || fa.X != addr {
			continue
		}
		for _, ref := range *fa.Referrers() {
			if st, ok := ref.(*ssa.Store); ok && st.Addr == fa && st != whole && w.before(whole, st) && w.before(st, reader) {
				return true
			}
		}
	}
	return false
}

// before reports whether instr can run before reader: in its block
// earlier, or in a block from which its block can be reached. Across
// functions (closures, deferred calls) it assumes so.
func (w *walker) before(instr, reader ssa.Instruction) bool {
	if reader == nil || instr.Parent() != reader.Parent() {
		return true
	}
	from, to := instr.Block(), reader.Block()
	if from == to {
		for _, i := range from.Instrs {
			if i == instr {
				return true
			}
			if i == reader {
				break
			}
		}
	}
	seen := make(map[*ssa.BasicBlock]bool)
	queue := append([]*ssa.BasicBlock(nil), from.Succs...)
	for len(queue) > 0 {
		b := queue[0]
		queue = queue[1:]
		if b == to {
			return true
		}
		if !seen[b] {
			seen[b] = true
			queue = append(queue, b.Succs...)
		}
	}
	return false
}

// Before reports whether instr can run before other: earlier in its block,
// or in a block from which other's block can be reached; across functions
// it assumes so.
func Before(instr, other ssa.Instruction) bool { return (*walker)(nil).before(instr, other) }

// Dominates reports whether a runs before b on every path to b, both in
// one function.
func Dominates(a, b ssa.Instruction) bool { return dominates(a, b) }

// IsAppend reports whether call is of the builtin append.
func IsAppend(call *ssa.Call) bool {
	b, ok := call.Call.Value.(*ssa.Builtin)
	return ok && b.Name() == "append"
}

func dominates(a, b ssa.Instruction) bool {
	if a.Parent() != b.Parent() {
		return false
	}
	if a.Block() != b.Block() {
		return a.Block().Dominates(b.Block())
	}
	for _, i := range a.Block().Instrs {
		switch i {
		case a:
			return true
		case b:
			return false
		}
	}
	return false
}

// sameRepresentation reports whether a conversion keeps the value as it
// is: string to []byte and back, or between named and unnamed forms.
func sameRepresentation(to, from types.Type) bool {
	stringish := func(t types.Type) bool {
		switch u := t.Underlying().(type) {
		case *types.Basic:
			return u.Info()&types.IsString != 0
		case *types.Slice:
			b, ok := u.Elem().Underlying().(*types.Basic)
			return ok && (b.Kind() == types.Byte || b.Kind() == types.Rune)
		}
		return false
	}
	return stringish(to) && stringish(from)
}

// DependsOn reports whether v is computed from one of the values in from,
// changed or not (see Backward).
func (r *Result) DependsOn(v ssa.Value, sink ssa.Instruction, from []ssa.Value) bool {
	if len(from) == 0 {
		return false
	}
	return r.Backward(v, sink, func(s Step) bool { return contains(from, s.Value) })
}

// ChangedFrom reports whether v is computed from one of the values in from
// and changed on the way: a read-modify-write, not a write-back.
func (r *Result) ChangedFrom(v ssa.Value, sink ssa.Instruction, from []ssa.Value) bool {
	if len(from) == 0 {
		return false
	}
	return r.Backward(v, sink, func(s Step) bool { return s.Changed && contains(from, s.Value) })
}

func contains(vals []ssa.Value, v ssa.Value) bool {
	for _, x := range vals {
		if x == v {
			return true
		}
	}
	return false
}

// DependsOnAny reports whether any of vals depends on from.
func (r *Result) DependsOnAny(vals []ssa.Value, sink ssa.Instruction, from []ssa.Value) bool {
	for _, v := range vals {
		if r.DependsOn(v, sink, from) {
			return true
		}
	}
	return false
}

// SizeOf reports whether the step is len or cap of a collection: how
// many entries it holds, whatever is added to the values in them.
func SizeOf(s Step) bool {
	call, ok := s.Value.(*ssa.Call)
	if !ok {
		return false
	}
	name := CalleeName(call)
	return name == "len" || name == "cap"
}

// MapKey reports whether the step is a key of a range over a map: the
// keys of a map of tallies are no tally (digest = append(digest, acct)
// for acct := range totals).
func MapKey(s Step) bool {
	x, ok := s.Value.(*ssa.Extract)
	if !ok || x.Index != 1 {
		return false
	}
	next, ok := x.Tuple.(*ssa.Next)
	return ok && !next.IsString
}

// Accumulated reports whether v is read from a package variable or a
// field that the package adds to somewhere: a count kept in memory, as
// when one method does v.pages[page]++ and another publishes v.pages.
func (r *Result) Accumulated(v ssa.Value, sink ssa.Instruction) bool {
	var homes []ssa.Value
	var syncHomes []ssa.Value // sync.Maps whose elements hold the count
	var counters []*ssa.Function
	prune := func(s Step) bool { return SizeOf(s) || MapKey(s) }
	r.BackwardPruned(v, sink, prune, func(s Step) bool {
		switch x := s.Value.(type) {
		case *ssa.FieldAddr:
			// Not a field of a struct variable of the function that
			// writes: a summary it sums into (sum.Total += n) is made
			// anew on each call, no count kept.
			if local, ok := x.X.(*ssa.Alloc); !ok || local.Parent() != sink.Parent() {
				homes = append(homes, x)
			}
		case *ssa.Global:
			homes = append(homes, x)
		case *ssa.TypeAssert:
			// n := *v.(*int64) of an element that a sync.Map holds.
			if m := syncMapOf(x.X); m != nil {
				syncHomes = append(syncHomes, m)
			}
		case *ssa.Call:
			// An atomic's Load, of a package variable or a field that
			// is added to elsewhere: served.Load() of served.Add(1).
			if home := atomicLoaded(x); home != nil {
				homes = append(homes, home)
			}
			// A method of the package that adds and returns the sum:
			// n := tally.inc(id), with c.counts[id]++ inside.
			if callee := x.Call.StaticCallee(); callee != nil && callee.Pkg == r.pkg && len(callee.Blocks) > 0 && !slices.Contains(counters, callee) {
				counters = append(counters, callee)
			}
		}
		return false
	})
	// What such a method returns is a count when it reads a number kept,
	// or an element of a map kept: len(t.counts) is none.
	for _, fn := range counters {
		for _, b := range fn.Blocks {
			ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
			if !ok {
				continue
			}
			for _, res := range ret.Results {
				r.Backward(res, ret, func(s Step) bool {
					switch x := s.Value.(type) {
					case *ssa.UnOp:
						switch addr := x.X.(type) {
						case *ssa.FieldAddr, *ssa.Global:
							if x.Op == token.MUL && isInteger(x.Type()) {
								homes = append(homes, addr)
							}
						}
					case *ssa.Lookup:
						if load, ok := x.X.(*ssa.UnOp); ok && load.Op == token.MUL {
							homes = append(homes, load.X)
						}
					}
					return false
				})
			}
		}
	}
	if len(homes) == 0 && len(syncHomes) == 0 {
		return false
	}
	same := func(addr ssa.Value) bool {
		return slices.ContainsFunc(homes, func(h ssa.Value) bool { return sameHome(h, addr) })
	}
	// An element of the same sync.Map, added to where it is kept:
	// *v.(*int64)++, or v.(*atomic.Int64).Add(1).
	sameElement := func(v ssa.Value) bool {
		ta, ok := v.(*ssa.TypeAssert)
		if !ok {
			return false
		}
		m := syncMapOf(ta.X)
		return m != nil && slices.ContainsFunc(syncHomes, func(h ssa.Value) bool { return sameHome(h, m) })
	}
	for _, fn := range r.funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if len(syncHomes) > 0 {
					switch x := instr.(type) {
					case *ssa.Store:
						if isAddition(x.Val) && sameElement(x.Addr) {
							return true
						}
					case *ssa.Call:
						if AtomicAdd(x) && len(x.Call.Args) > 0 && sameElement(x.Call.Args[0]) {
							return true
						}
					}
				}
				switch x := instr.(type) {
				case *ssa.MapUpdate:
					if load, ok := x.Map.(*ssa.UnOp); ok && load.Op == token.MUL && isAddition(x.Value) && same(load.X) {
						return true
					}
				case *ssa.Store:
					if isAddition(x.Val) && same(x.Addr) {
						return true
					}
				case *ssa.Call:
					if AtomicAdd(x) && len(x.Call.Args) > 0 && same(x.Call.Args[0]) {
						return true
					}
				}
			}
		}
	}
	return false
}

// syncMapOf returns the address of the sync.Map, a field or a package
// variable, that v is an element of: the value a Load or LoadOrStore
// returned, or that Range handed its callback. Nil when v is none.
func syncMapOf(v ssa.Value) ssa.Value {
	isMapCall := func(call ssa.CallInstruction, names ...string) (ssa.Value, bool) {
		callee := call.Common().StaticCallee()
		if callee == nil || callee.Signature.Recv() == nil || len(call.Common().Args) == 0 || !slices.Contains(names, callee.Name()) {
			return nil, false
		}
		ptr, ok := callee.Signature.Recv().Type().(*types.Pointer)
		if !ok {
			return nil, false
		}
		if named, ok := types.Unalias(ptr.Elem()).(*types.Named); !ok || named.Obj().Pkg() == nil || named.Obj().Pkg().Path() != "sync" || named.Obj().Name() != "Map" {
			return nil, false
		}
		switch m := call.Common().Args[0].(type) {
		case *ssa.FieldAddr, *ssa.Global:
			return m, true
		}
		return nil, false
	}
	switch v := v.(type) {
	case *ssa.Extract:
		if call, ok := v.Tuple.(*ssa.Call); ok && v.Index == 0 {
			if m, ok := isMapCall(call, "Load", "LoadOrStore", "LoadAndDelete", "Swap"); ok {
				return m
			}
		}
	case *ssa.Parameter:
		fn := v.Parent()
		if len(fn.Params) != 2 || fn.Params[1] != v {
			return nil
		}
		if call := SyncMapRange(fn); call != nil {
			if m, ok := isMapCall(call, "Range"); ok {
				return m
			}
		}
	}
	return nil
}

// SyncMapRange returns the call by which the function that makes the
// closure fn hands it to a sync.Map's Range, which runs it once per
// entry; nil when there is none.
func SyncMapRange(fn *ssa.Function) *ssa.Call {
	if fn.Parent() == nil {
		return nil
	}
	for _, b := range fn.Parent().Blocks {
		for _, instr := range b.Instrs {
			call, ok := instr.(*ssa.Call)
			if ok && CalleeName(call) == "(*sync.Map).Range" && len(call.Call.Args) == 2 && FuncValue(call.Call.Args[1]) == fn {
				return call
			}
		}
	}
	return nil
}

// atomicLoaded returns the package variable or field whose sync/atomic
// value call loads (served.Load(), atomic.LoadInt64(&s.n)), or nil.
func atomicLoaded(call *ssa.Call) ssa.Value {
	callee := call.Call.StaticCallee()
	if callee == nil || callee.Object() == nil || callee.Object().Pkg() == nil || callee.Object().Pkg().Path() != "sync/atomic" ||
		!strings.HasPrefix(callee.Name(), "Load") || len(call.Call.Args) == 0 {
		return nil
	}
	switch home := call.Call.Args[0].(type) {
	case *ssa.FieldAddr, *ssa.Global:
		return home
	}
	return nil
}

// AtomicAdd reports whether v is a call of one of sync/atomic's Add
// functions or methods: c.Add(1), atomic.AddInt64(&n, 1).
func AtomicAdd(v ssa.Value) bool {
	call, ok := v.(*ssa.Call)
	if !ok {
		return false
	}
	callee := call.Call.StaticCallee()
	if callee == nil || callee.Object() == nil || callee.Object().Pkg() == nil {
		return false
	}
	return callee.Object().Pkg().Path() == "sync/atomic" && strings.HasPrefix(callee.Name(), "Add")
}

// sameHome reports whether a and b address the same package variable, or
// the same field of structs of the same type.
func sameHome(a, b ssa.Value) bool {
	if a == b {
		return true
	}
	fa, ok1 := a.(*ssa.FieldAddr)
	fb, ok2 := b.(*ssa.FieldAddr)
	return ok1 && ok2 && fa.Field == fb.Field && types.Identical(fa.X.Type(), fb.X.Type())
}

// isAddition reports whether v is a number plus or minus another.
func isAddition(v ssa.Value) bool {
	switch v := v.(type) {
	case *ssa.BinOp:
		return (v.Op == token.ADD || v.Op == token.SUB) && isInteger(v.Type())
	case *ssa.Call:
		// A sum clamped, max(n+delta, 0), is added to as much.
		if b, ok := v.Call.Value.(*ssa.Builtin); ok && (b.Name() == "max" || b.Name() == "min") {
			return slices.ContainsFunc(v.Call.Args, isAddition)
		}
	}
	return false
}

// succeedsAway reports whether every way on from call on which its error
// is nil leaves before reader: a decode whose success returns (if
// json.Unmarshal(b, &rows) == nil { return rows }), so that what it fills
// reaches reader only when it failed, as nothing.
func succeedsAway(call ssa.CallInstruction, reader ssa.Instruction) bool {
	c, ok := call.(*ssa.Call)
	if !ok || reader == nil || reader.Block() == nil || reader.Parent() != c.Parent() {
		return false // (a reader in a closure runs when it is called)
	}
	results := c.Call.Signature().Results()
	if results.Len() == 0 || !isError(results.At(results.Len()-1).Type()) {
		return false
	}
	var errv ssa.Value = c
	if results.Len() > 1 {
		errv = nil
		for _, ref := range *c.Referrers() {
			if x, ok := ref.(*ssa.Extract); ok && x.Index == results.Len()-1 {
				errv = x
			}
		}
		if errv == nil {
			return false
		}
	}
	tested := false
	for _, ref := range *errv.Referrers() {
		cmp, ok := ref.(*ssa.BinOp)
		if !ok || cmp.Op != token.EQL && cmp.Op != token.NEQ || !IsNil(cmp.X) && !IsNil(cmp.Y) {
			continue
		}
		for _, use := range *cmp.Referrers() {
			br, ok := use.(*ssa.If)
			if !ok {
				continue
			}
			success := equalBranch(br.Block(), cmp) // err == nil
			if success == reader.Block() || Reaches(success, reader.Block()) {
				return false
			}
			tested = true
		}
	}
	return tested
}

// notFilled reports whether call is a KV wrapper whose summary says it
// fills none of its parameters with v's argument position (v, a logger
// or a context passed to a listing helper, receives nothing it lists),
// or an operation of the SDK on v, its namespace: a put of a count does
// not make the namespace, and the next get from it, part of that count.
func (r *Result) notFilled(call ssa.CallInstruction, v ssa.Value) bool {
	ops := r.OpsAt(call)
	if len(ops) == 0 {
		return false // not known: it may fill what it is given
	}
	for _, op := range ops {
		if op.Wrapped == nil {
			if receiverOf(call, v) {
				continue // the SDK's namespace: a put does not fill it with its value
			}
			return false
		}
		for i, a := range op.Args {
			if a == v && slices.Contains(op.Wrapped.Out, i) {
				return false
			}
		}
	}
	return true
}

// receiverOf reports whether v is the receiver of the method call.
func receiverOf(call ssa.CallInstruction, v ssa.Value) bool {
	common := call.Common()
	if common.IsInvoke() {
		return common.Value == v
	}
	return common.Signature().Recv() != nil && len(common.Args) > 0 && common.Args[0] == v
}

// isReference reports whether t is a pointer, or an empty interface
// (out any), which a call given it can fill. An interface with methods,
// a context or a writer, is not filled by the calls given it.
func isReference(t types.Type) bool {
	switch u := t.Underlying().(type) {
	case *types.Pointer:
		return true
	case *types.Interface:
		return u.Empty()
	}
	return false
}

// decodesInto reports whether call may decode into v, which it is
// given: a decoder of the standard library, a function not known here
// (a hook kept in a field, a method of an interface), or a function of
// the package that hands v on to one (b.decode(raw, out) calling the
// hook its concrete store set).
func decodesInto(call ssa.CallInstruction, v ssa.Value, depth int) bool {
	common := call.Common()
	if common.IsInvoke() {
		return true
	}
	callee := common.StaticCallee()
	if callee == nil {
		_, builtin := common.Value.(*ssa.Builtin)
		return !builtin
	}
	switch callee.String() {
	case "encoding/json.Unmarshal", "encoding/xml.Unmarshal", "(*encoding/json.Decoder).Decode", "(*encoding/gob.Decoder).Decode", "(*encoding/xml.Decoder).Decode":
		return true
	}
	if depth > 2 || callee.Blocks == nil || callee.Pkg != call.Parent().Pkg {
		return false
	}
	for i, a := range common.Args {
		if a != v || i >= len(callee.Params) {
			continue
		}
		p := callee.Params[i]
		for _, user := range *p.Referrers() {
			if inner, ok := user.(ssa.CallInstruction); ok && decodesInto(inner, p, depth+1) {
				return true
			}
		}
	}
	return false
}

// elementFuncs are the slices functions that call their function
// argument with the elements of their first.
var elementFuncs = map[string]bool{
	"slices.DeleteFunc": true, "slices.IndexFunc": true, "slices.ContainsFunc": true,
	"slices.SortFunc": true, "slices.SortStableFunc": true, "slices.CompactFunc": true,
	"slices.MaxFunc": true, "slices.MinFunc": true,
}

// calledOnElements returns the slice whose elements p, a parameter of a
// closure, is given by a function of elementFuncs.
func calledOnElements(p *ssa.Parameter) ssa.Value {
	for _, call := range handedTo(p.Parent()) {
		if elementFuncs[CalleeName(call)] && len(call.Call.Args) == 2 {
			if mc, ok := call.Call.Args[1].(*ssa.MakeClosure); ok && mc.Fn == p.Parent() {
				return call.Call.Args[0]
			}
		}
		// A library's runner handed a slice and a function of its elements,
		// conc's iter.Map(page.Keys, func(k *kv.Key) R) or lo.ForEach(ids,
		// func(id string, i int)): the parameter of the element's type.
		if callee := call.Call.StaticCallee(); callee != nil && callee.Pkg != p.Parent().Pkg {
			if s := elementsFor(p, call.Call.Args); s != nil {
				return s
			}
		}
	}
	return nil
}

// elementsFor returns the one slice among args whose elements p, and no
// other parameter of p's function, can hold: an element or its address.
func elementsFor(p *ssa.Parameter, args []ssa.Value) ssa.Value {
	holds := func(q *ssa.Parameter, elem types.Type) bool {
		return types.Identical(q.Type(), elem) || types.Identical(q.Type(), types.NewPointer(elem))
	}
	var found ssa.Value
	for _, a := range args {
		sl, ok := a.Type().Underlying().(*types.Slice)
		if !ok || !holds(p, sl.Elem()) {
			continue
		}
		if found != nil || slices.ContainsFunc(p.Parent().Params, func(q *ssa.Parameter) bool { return q != p && holds(q, sl.Elem()) }) {
			return nil
		}
		found = a
	}
	return found
}

// handedTo returns the calls that the function around the closure fn
// hands fn to, as an argument.
func handedTo(fn *ssa.Function) []*ssa.Call {
	if fn.Parent() == nil {
		return nil
	}
	var calls []*ssa.Call
	for _, b := range fn.Parent().Blocks {
		for _, instr := range b.Instrs {
			mc, ok := instr.(*ssa.MakeClosure)
			if !ok || mc.Fn != fn {
				continue
			}
			refs := *mc.Referrers()
			for _, ref := range refs {
				// As a named function type, fs.WalkDirFunc(visit).
				if ct, ok := ref.(*ssa.ChangeType); ok {
					refs = append(refs, *ct.Referrers()...)
				}
			}
			for _, ref := range refs {
				if call, ok := ref.(*ssa.Call); ok && call.Call.Value != mc {
					calls = append(calls, call)
				}
			}
		}
	}
	return calls
}

// FieldRead returns the field that v reads: a load of one (ev.Time of a
// pointer ev) or one of a struct value; nil for anything else.
func FieldRead(v ssa.Value) *types.Var {
	switch x := v.(type) {
	case *ssa.UnOp:
		if fa, ok := x.X.(*ssa.FieldAddr); ok && x.Op == token.MUL {
			return FieldOf(fa)
		}
	case *ssa.Field:
		return FieldOfValue(x)
	}
	return nil
}

// FieldOfValue is FieldOf for a field of a struct value, s.CustomerID of
// an s held by value.
func FieldOfValue(f *ssa.Field) *types.Var {
	st, ok := f.X.Type().Underlying().(*types.Struct)
	if !ok || f.Field >= st.NumFields() {
		return nil
	}
	return st.Field(f.Field).Origin()
}
