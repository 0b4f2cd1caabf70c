package kvapi

import (
	"go/constant"
	"go/token"
	"go/types"
	"maps"
	"slices"

	"golang.org/x/tools/go/ssa"
)

// Writes buffered for later. A unit of work keeps the writes of a request
// in a field of its own, and makes them on Commit, which walks the field:
//
//	func (u *Unit) Put(key, value string) { u.record(key, op{value: value}) }
//	func (u *Unit) Delete(key string)     { u.record(key, op{delete: true}) }
//	func (u *Unit) record(key string, o op) { u.order = append(u.order, key); u.ops[key] = o }
//	func (u *Unit) Commit(ctx context.Context) error {
//		for _, k := range u.order {
//			if o := u.ops[k]; o.delete { u.s.Delete(ctx, k) } else { u.s.Put(ctx, k, o.value) }
//		}
//	}
//
// The call of Put chooses the key and the value, so it is the operation
// its callers see. Put is a stager: it is summarised as Commit's
// operations, with each part of the buffered entry that Commit reads
// (the range's key, the element, one of the element's fields) replaced by
// what Put stores there. An operation on a branch of Commit that the
// entry decides against (o.delete, for Put) is not Put's.
//
// An actor is the same with a channel for a buffer: Put sends
// request{op: opPut, key: key, ...} on a.reqs, and the goroutine's loop
// receives it and switches on req.op, or hands it whole to a method that
// does. Its gets count too where the stager writes nothing (Get), or
// writes back the key it reads (an increment, reported inside).

// A bufferPart is a part of the entries a field buffers: the key of a
// map, an element, or a field of an element.
type bufferPart struct {
	field *types.Var
	part  string // "key", "elem", "elem." and a field name, or "elems"
}

// findBuffers exports the operations of the package's stagers, and
// reports whether it found one not exported before.
func (r *Result) findBuffers() bool {
	changed := false
	for _, flusher := range r.funcs {
		if flusher.Signature.Recv() == nil || flusher.Parent() != nil {
			continue
		}
		parts, ok := r.buffered[flusher]
		if !ok {
			parts = bufferReads(flusher) // once: findOps asks each round
			if r.buffered == nil {
				r.buffered = make(map[*ssa.Function]map[ssa.Value]bufferPart)
			}
			r.buffered[flusher] = parts
		}
		if len(parts) == 0 {
			continue
		}
		var ops, gets []*Op
		for _, op := range r.Ops {
			if !r.runsIn(op.Call.Parent(), flusher) || op.Wrapped != nil && op.Wrapped.Field != "" {
				continue
			}
			switch op.Method.Role {
			case Put, Delete, BulkPut, BulkDelete:
				ops = append(ops, op)
			case Get:
				gets = append(gets, op)
			}
		}
		if len(ops) == 0 {
			continue
		}
		for _, stager := range r.funcs {
			// An unexported method is the type's own plumbing (record,
			// requeue), which its exported stagers and flushers call.
			if stager == flusher || stager.Parent() != nil || !sameReceiver(stager, flusher) || !stager.Object().Exported() {
				continue
			}
			staged := r.stagedParts(stager, nil, 0)
			if len(staged) == 0 {
				continue
			}
			var keys []string
			for _, op := range ops {
				if w, ok := r.stagedOp(stager, flusher, op, parts, staged); ok {
					changed = r.addStaged(stager, w) || changed
					keys = append(keys, w.operand(Key).String())
				}
			}
			// What a flusher reads is its own business, but for a get of
			// the key it writes: an actor's increment reads and writes
			// back, and is reported inside, not at each caller. A stager
			// that writes nothing asks for a read (an actor's Get): what
			// it returns is what was read.
			for _, op := range gets {
				w, ok := r.stagedOp(stager, flusher, op, parts, staged)
				switch {
				case !ok:
				case len(keys) == 0:
					w.Results = valueResults(stager)
					if op.Wrapped != nil {
						w.MissError, w.ErrorsAsMiss = op.Wrapped.MissError, op.Wrapped.ErrorsAsMiss
					}
					changed = r.addStaged(stager, w) || changed
				case slices.Contains(keys, w.operand(Key).String()):
					changed = r.addStaged(stager, w) || changed
				}
			}
		}
	}
	return changed
}

// runsIn reports whether fn is flusher, or a closure of it that runs in
// line where it is made: a bulk write wrapped in retry.Do(ctx, func...).
func (r *Result) runsIn(fn, flusher *ssa.Function) bool {
	for ; fn != flusher; fn = fn.Parent() {
		if fn.Parent() == nil || !runsInLine(r.RunSites(fn)) {
			return false
		}
	}
	return true
}

// valueResults returns the indices of fn's results that are not errors.
func valueResults(fn *ssa.Function) []int {
	var out []int
	res := fn.Signature.Results()
	for i := range res.Len() {
		if !IsError(res.At(i).Type()) {
			out = append(out, i)
		}
	}
	return out
}

// sameReceiver reports whether a and b are methods of one type.
func sameReceiver(a, b *ssa.Function) bool {
	ra, rb := a.Signature.Recv(), b.Signature.Recv()
	if ra == nil || rb == nil {
		return false
	}
	return types.Identical(deref(ra.Type()), deref(rb.Type()))
}

func deref(t types.Type) types.Type {
	if p, ok := t.Underlying().(*types.Pointer); ok {
		return p.Elem()
	}
	return t
}

// bufferReads returns the values in fn, a method, that read a part of
// the entries that a field of its receiver buffers.
func bufferReads(fn *ssa.Function) map[ssa.Value]bufferPart {
	out := make(map[ssa.Value]bufferPart)
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if v, ok := instr.(ssa.Value); ok {
				if p, ok := partRead(fn, v, 0); ok {
					out[v] = p
				}
			}
		}
	}
	return out
}

// partRead returns the part of a buffer of fn's receiver that v reads.
func partRead(fn *ssa.Function, v ssa.Value, depth int) (bufferPart, bool) {
	if depth > 3 {
		return bufferPart{}, false
	}
	switch v := v.(type) {
	case *ssa.Extract:
		switch t := v.Tuple.(type) {
		case *ssa.Select: // select { case req := <-a.reqs: ... }
			if st := receivedBy(t, v.Index); st != nil {
				if f := receiverField(fn, st.Chan); f != nil {
					return bufferPart{f, "elem"}, true
				}
			}
		case *ssa.TypeAssert: // switch cmd := c.(type) { case scanCmd: ... }
			if v.Index == 0 {
				return partRead(fn, t.X, depth+1)
			}
		case *ssa.UnOp: // for req := range a.reqs
			if f := receiverField(fn, t.X); f != nil && t.Op == token.ARROW && v.Index == 0 {
				return bufferPart{f, "elem"}, true
			}
		case *ssa.Next: // for k, o := range u.ops
			if rng, ok := t.Iter.(*ssa.Range); ok && !t.IsString {
				if f := receiverField(fn, rng.X); f != nil {
					return bufferPart{f, map[int]string{1: "key", 2: "elem"}[v.Index]}, v.Index > 0
				}
			}
		case *ssa.Lookup: // o, ok := u.ops[k]
			if f := receiverField(fn, t.X); f != nil && v.Index == 0 {
				return bufferPart{f, "elem"}, true
			}
		}
	case *ssa.Lookup: // o := u.ops[k]
		if f := receiverField(fn, v.X); f != nil {
			return bufferPart{f, "elem"}, true
		}
	case *ssa.Index:
		if f := receiverField(fn, v.X); f != nil {
			return bufferPart{f, "elem"}, true
		}
	case *ssa.Slice: // t.dels[start:end], a chunk of the buffer sent at once
		if f := receiverField(fn, v.X); f != nil {
			return bufferPart{f, "elems"}, true
		}
	case *ssa.TypeAssert:
		if !v.CommaOk {
			return partRead(fn, v.X, depth+1)
		}
	case *ssa.UnOp:
		if v.Op == token.ARROW && !v.CommaOk { // req := <-a.reqs
			if f := receiverField(fn, v.X); f != nil {
				return bufferPart{f, "elem"}, true
			}
		}
		if v.Op != token.MUL {
			break
		}
		// cmd whole, of a local cmd := <-a.cmds
		if alloc, ok := v.X.(*ssa.Alloc); ok && len(storesTo(alloc)) == 1 && !setInPart(alloc) {
			return partRead(fn, storesTo(alloc)[0].Val, depth+1)
		}
		if f := elemAddr(fn, v.X); f != nil { // for _, k := range u.order
			return bufferPart{f, "elem"}, true
		}
		if fa, ok := v.X.(*ssa.FieldAddr); ok {
			if f := elemAddr(fn, fa.X); f != nil { // u.pending[i].key
				return bufferPart{f, "elem." + fieldName(fa.X.Type(), fa.Field)}, true
			}
			// o.value of o := u.ops[k], a local whose fields are read
			if alloc, ok := fa.X.(*ssa.Alloc); ok && len(storesTo(alloc)) == 1 && !setInPart(alloc) {
				if p, ok := partRead(fn, storesTo(alloc)[0].Val, depth+1); ok && p.part == "elem" {
					return bufferPart{p.field, "elem." + fieldName(fa.X.Type(), fa.Field)}, true
				}
			}
		}
	case *ssa.Field: // o.value
		if p, ok := partRead(fn, v.X, depth+1); ok && p.part == "elem" {
			return bufferPart{p.field, "elem." + fieldName(v.X.Type(), v.Field)}, true
		}
	}
	return bufferPart{}, false
}

// receivedBy returns the receiving state of sel whose value the
// extract at index gives (a select's tuple is the chosen index, recvOk,
// then one value per receiving state).
func receivedBy(sel *ssa.Select, index int) *ssa.SelectState {
	n := index - 2
	for i := range sel.States {
		st := sel.States[i]
		if st.Dir != types.RecvOnly {
			continue
		}
		if n == 0 {
			return st
		}
		n--
	}
	return nil
}

// elemAddr returns the field of fn's receiver whose element addr
// addresses: &u.order[i].
func elemAddr(fn *ssa.Function, addr ssa.Value) *types.Var {
	if ia, ok := addr.(*ssa.IndexAddr); ok {
		return receiverField(fn, ia.X)
	}
	return nil
}

// receiverField returns the field of fn's receiver that x loads: u.ops.
func receiverField(fn *ssa.Function, x ssa.Value) *types.Var {
	load, ok := x.(*ssa.UnOp)
	if !ok || load.Op != token.MUL {
		return nil
	}
	fa, ok := load.X.(*ssa.FieldAddr)
	if !ok || !isReceiver(fn, fa.X) {
		return nil
	}
	return FieldOf(fa)
}

// IsReceiver reports whether p is its method's receiver.
func IsReceiver(p *ssa.Parameter) bool {
	fn := p.Parent()
	return fn.Signature.Recv() != nil && len(fn.Params) > 0 && fn.Params[0] == p
}

// isReceiver reports whether v is fn's receiver, or a load of the
// variable that holds it when a closure captures it (a deferred rollback).
func isReceiver(fn *ssa.Function, v ssa.Value) bool {
	if len(fn.Params) == 0 {
		return false
	}
	if load, ok := v.(*ssa.UnOp); ok && load.Op == token.MUL {
		if alloc, ok := load.X.(*ssa.Alloc); ok {
			if stores := storesTo(alloc); len(stores) == 1 {
				v = stores[0].Val
			}
		}
	}
	return v == fn.Params[0]
}

// stagedParts returns what fn, a stager or (at depth > 0) a method that
// a stager calls with its receiver, stores in the parts of its
// receiver's buffers: a map update u.ops[key] = o, or an append to
// u.order. bound gives the values that fn's parameters stand for in the
// stager.
func (r *Result) stagedParts(fn *ssa.Function, bound map[*ssa.Parameter]ssa.Value, depth int) map[bufferPart]ssa.Value {
	resolve := func(v ssa.Value) ssa.Value {
		for range maxDepth {
			if whole := copiedParam(v, ""); whole != nil {
				v = whole // req of call(ctx, req), kept in a local to set req.reply
			}
			p, ok := v.(*ssa.Parameter)
			if !ok || bound == nil || bound[p] == nil {
				break
			}
			v = bound[p]
		}
		return v
	}
	out := make(map[bufferPart]ssa.Value)
	put := func(f *types.Var, part string, v ssa.Value) {
		v = resolve(v)
		out[bufferPart{f, part}] = v
		st, ok := derefStruct(v.Type())
		if !ok || isPointer(v.Type()) {
			return
		}
		lit := literalOf(v)
		for i := range st.NumFields() {
			name := part + "." + st.Field(i).Name()
			if lit == nil {
				continue // a struct given whole: its fields are not known here
			}
			fv, ok := choiceField(lit, i)
			if !ok {
				continue
			}
			if fv == nil {
				fv = zeroOf(st.Field(i).Type())
			}
			if fv != nil {
				out[bufferPart{f, name}] = resolve(fv)
			}
		}
	}
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			switch instr := instr.(type) {
			case *ssa.MapUpdate:
				if f := receiverField(fn, instr.Map); f != nil {
					put(f, "key", instr.Key)
					put(f, "elem", instr.Value)
				}
			case *ssa.Send: // a.reqs <- req: an actor's goroutine serves it
				if f := receiverField(fn, instr.Chan); f != nil {
					put(f, "elem", instr.X)
				}
			case *ssa.Select:
				for _, st := range instr.States {
					if f := receiverField(fn, st.Chan); f != nil && st.Dir == types.SendOnly {
						put(f, "elem", st.Send)
					}
				}
			case *ssa.Store:
				fa, ok := instr.Addr.(*ssa.FieldAddr)
				if !ok || !isReceiver(fn, fa.X) {
					continue
				}
				if elem := appended(instr.Val); elem != nil {
					put(FieldOf(fa), "elem", elem)
				}
			case *ssa.Call:
				callee := instr.Call.StaticCallee()
				args := instr.Call.Args
				if depth >= 3 || callee == nil || callee.Pkg != r.pkg || callee.Blocks == nil || len(args) == 0 ||
					!isReceiver(fn, args[0]) || !sameReceiver(callee, fn) {
					continue
				}
				inner := maps.Clone(bound) // (a literal of fn's may hold fn's parameters)
				if inner == nil {
					inner = make(map[*ssa.Parameter]ssa.Value)
				}
				for i, p := range callee.Params {
					if i < len(args) {
						inner[p] = resolve(args[i])
					}
				}
				for p, v := range r.stagedParts(callee, inner, depth+1) {
					if _, ok := out[p]; !ok {
						out[p] = v
					}
				}
			}
		}
	}
	return out
}

// appended returns the one element that v, append(s, e), appends.
func appended(v ssa.Value) ssa.Value {
	call, ok := v.(*ssa.Call)
	if !ok {
		return nil
	}
	if b, ok := call.Call.Value.(*ssa.Builtin); !ok || b.Name() != "append" || len(call.Call.Args) != 2 {
		return nil
	}
	slice, ok := call.Call.Args[1].(*ssa.Slice)
	if !ok {
		return nil
	}
	arr, ok := slice.X.(*ssa.Alloc)
	if !ok {
		return nil
	}
	var elem ssa.Value
	for _, ref := range *arr.Referrers() {
		if ia, ok := ref.(*ssa.IndexAddr); ok {
			for _, st := range storesTo(ia) {
				if elem != nil {
					return nil
				}
				elem = st.Val
			}
		}
	}
	return elem
}

func isPointer(t types.Type) bool {
	_, ok := t.Underlying().(*types.Pointer)
	return ok
}

// zeroOf is the zero value of a field that a literal leaves out, for
// the kinds a branch may test: false, 0 or "".
func zeroOf(t types.Type) ssa.Value {
	b, ok := t.Underlying().(*types.Basic)
	if !ok {
		return nil
	}
	switch {
	case b.Info()&types.IsBoolean != 0:
		return ssa.NewConst(constant.MakeBool(false), t)
	case b.Info()&types.IsNumeric != 0:
		return ssa.NewConst(constant.MakeInt64(0), t)
	case b.Info()&types.IsString != 0:
		return ssa.NewConst(constant.MakeString(""), t)
	}
	return nil
}

// stagedOp returns op, an operation of the flusher, as the stager's: its
// operands compiled with each buffered part that the flusher reads
// replaced by what the stager stores there. ok is false when the op's key
// is not one the stager gives, or when what it stores decides a branch
// of the flusher against the op.
func (r *Result) stagedOp(stager, flusher *ssa.Function, op *Op, reads map[ssa.Value]bufferPart, staged map[bufferPart]ssa.Value) (WrappedOp, bool) {
	sc := &compiler{model: r, fn: stager}
	override := make(map[ssa.Value]*Term)
	for v, p := range reads {
		if sv, ok := staged[p]; ok {
			override[v] = sc.term(sv, 0)
		} else {
			override[v] = unstaged
		}
	}
	for i, p := range flusher.Params {
		if i > 0 { // (the receiver is the stager's too)
			override[p] = opaque
		}
	}
	// switch cmd := c.(type): the case of the type the stager sends.
	for v, p := range reads {
		if p.part != "elem" {
			continue
		}
		if mi, ok := staged[p].(*ssa.MakeInterface); ok {
			for _, ref := range *v.Referrers() {
				if ta, ok := ref.(*ssa.TypeAssert); ok && ta.CommaOk {
					for _, use := range *ta.Referrers() {
						if ok, isExtract := use.(*ssa.Extract); isExtract && ok.Index == 1 {
							same := types.Identical(ta.AssertedType, mi.X.Type())
							override[ok] = &Term{Op: TermConst, Value: constant.MakeBool(same).ExactString(), Kind: constant.Bool}
						}
					}
				}
			}
		}
	}
	c := &compiler{model: r, fn: flusher, override: override}
	role, sources, at := op.Method.Role, op.Sources, []*ssa.BasicBlock{op.Call.Block()}
	switch role {
	case BulkDelete:
		// The flusher deletes what its stagers buffered in one call: each
		// key is the stager's delete, decided where the flusher collects
		// it (dels = append(dels, op.key) when op.delete).
		var keys []*Term
		var elems []Source
		for _, src := range op.Sources(Keys) {
			if src.Value == nil {
				continue
			}
			if f := chunkOf(flusher, src.Value); f != nil {
				if sv, ok := staged[bufferPart{f, "elem"}]; ok {
					keys = append(keys, sc.term(sv, 0))
				}
				continue
			}
			for _, e := range r.elements(src.Value, 0) {
				if _, read := reads[e]; read {
					elems = append(elems, Source{Value: e, Pos: src.Pos})
					if in, ok := e.(ssa.Instruction); ok {
						at = append(at, in.Block())
					}
				}
			}
		}
		if len(keys) == 0 && len(elems) == 0 {
			return WrappedOp{}, false
		}
		role = Delete
		sources = func(o Operand) []Source {
			switch o {
			case Keys:
				return nil
			case Key:
				return elems
			}
			return op.Sources(o)
		}
		if len(keys) > 0 {
			w := WrappedOp{Role: Delete, Method: op.Method.FullName(), Operands: []OperandTerms{{Operand: Key, Terms: keys}}}
			if op.Wrapped != nil {
				w.Method = op.Wrapped.Method
			}
			return w, slices.ContainsFunc(keys, givenParam)
		}
	case BulkPut:
		// Each pair, read from the buffer, is the stager's put, decided
		// where the flusher collects it.
		role = Put
		sources = func(o Operand) []Source {
			if o == Pairs {
				return nil
			}
			return op.Sources(o)
		}
		for _, src := range op.Sources(Key) {
			if in, ok := src.Value.(ssa.Instruction); ok {
				at = append(at, in.Block())
			}
		}
	}
	w := WrappedOp{Role: role, Method: op.Method.FullName(), Collapses: collapses(staged)}
	if op.Wrapped != nil {
		w.Method = op.Wrapped.Method
	}
	// A method handed the whole entry (a.handle(ctx, cmd), an actor's)
	// reads its fields through its parameter: they are what the stager
	// stores there too. The entry stands in its Terms as a marker, whose
	// fields are then replaced.
	entries := make(map[*Term]*types.Var)
	for v, p := range reads {
		if _, isStruct := v.Type().Underlying().(*types.Struct); isStruct && p.part == "elem" {
			marker := &Term{Op: TermOpaque}
			override[v], entries[marker] = marker, p.field
		}
	}
	entryFields := func(t *Term) *Term {
		return t.rewriteShared(func(f *Term) *Term {
			if f.Op != TermField || len(f.Args) != 1 || entries[f.Args[0]] == nil {
				return nil
			}
			if sv, ok := staged[bufferPart{entries[f.Args[0]], "elem." + f.Name}]; ok {
				return sc.term(sv, 0)
			}
			return unstaged
		}, make(map[*Term]*Term))
	}
	keyGiven := false
	for o := Operand(0); o < numOperands; o++ {
		ot := OperandTerms{Operand: o}
		for _, src := range sources(o) {
			t := entryFields(c.guarded(src, op))
			if o == Key {
				if unstagedIn(t) {
					return WrappedOp{}, false // a key its callers give (record(key, o))
				}
				keyGiven = keyGiven || givenParam(t)
			}
			ot.Terms = append(ot.Terms, t)
			ot.Duration = ot.Duration || src.Duration
		}
		if len(ot.Terms) > 0 {
			w.Operands = append(w.Operands, ot)
		}
	}
	if !keyGiven {
		return WrappedOp{}, false
	}
	e := &evaluator{model: r}
	// Decide the method's own branches too: switch cmd.op { case opPut: }.
	var conds []Cond
	if op.Wrapped != nil {
		for _, cond := range op.Wrapped.Conds {
			conds = append(conds, Cond{Term: entryFields(c.source(Source{Term: cond.Term, Args: op.Args})), Want: cond.Want})
		}
	}
	for _, at := range at {
		for b := at.Idom(); b != nil; b = b.Idom() {
			br, ok := b.Instrs[len(b.Instrs)-1].(*ssa.If)
			if !ok {
				continue
			}
			then, els := b.Succs[0].Dominates(at), b.Succs[1].Dominates(at)
			if then == els {
				continue
			}
			conds = append(conds, Cond{Term: c.term(br.Cond, 1), Want: then})
		}
	}
	for _, cond := range conds {
		if unstagedIn(cond.Term) {
			return WrappedOp{}, false // a branch its callers decide (o.delete of record(key, o))
		}
		switch vals := e.term(cond.Term, nil, nil, 1); {
		case len(vals) == 1 && vals[0].Kind() == constant.Bool && !cond.Term.Params():
			if constant.BoolVal(vals[0]) != cond.Want {
				return WrappedOp{}, false // o.delete, for a Put
			}
		case givenParam(cond.Term):
			w.Conds = append(w.Conds, cond) // (not the flusher's own loop, nor u.done)
		}
	}
	return w, true
}

// chunkOf returns the field of fn's receiver whose buffer v is, whole
// or a chunk of it (t.dels[start:end]), or nil.
func chunkOf(fn *ssa.Function, v ssa.Value) *types.Var {
	for sl, ok := v.(*ssa.Slice); ok; sl, ok = v.(*ssa.Slice) {
		v = sl.X
	}
	return receiverField(fn, v)
}

// loadedVar returns the local variable that v is read from, or nil.
func loadedVar(v ssa.Value) *ssa.Alloc {
	if load, ok := v.(*ssa.UnOp); ok && load.Op == token.MUL {
		alloc, _ := load.X.(*ssa.Alloc)
		return alloc
	}
	return nil
}

// givenParam reports whether t depends on what the stager's caller
// gives it, not only on its receiver.
func givenParam(t *Term) bool {
	return t.Find(func(p *Term) bool { return p.Op == TermParam && p.Index > 0 }) != nil
}

// unstaged stands for a part of a buffered entry that the stager does
// not store itself: its callers do.
var unstaged = &Term{Op: TermOpaque}

func unstagedIn(t *Term) bool {
	return t.Find(func(u *Term) bool { return u == unstaged }) != nil
}

// collapses reports whether the stager keeps its entries in a map by
// their key, so that a second write of a key replaces the first before
// anything reaches KV.
func collapses(staged map[bufferPart]ssa.Value) bool {
	for p := range staged {
		if p.part == "key" {
			return true
		}
	}
	return false
}

// addStaged adds w to the stager's WrapperFact, and reports whether it
// was not there yet.
func (r *Result) addStaged(stager *ssa.Function, w WrappedOp) bool {
	obj, ok := stager.Object().(*types.Func)
	if !ok {
		return false
	}
	var fact WrapperFact
	r.pass.ImportObjectFact(obj, &fact)
	if slices.ContainsFunc(fact.Ops, func(x WrappedOp) bool { return sameOp(x, w) }) {
		return false
	}
	fact.Ops = append(fact.Ops, w)
	r.pass.ExportObjectFact(obj, &fact)
	return true
}
