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

// A bufferPart is a part of the entries a field buffers: the key of a
// map, an element, or a field of an element.
type bufferPart struct {
	field *types.Var
	part  string // "key", "elem", or "elem." and a field name
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
		var ops []*Op
		for _, op := range r.Ops {
			// Writes and deletes: what a flusher reads is its own business.
			written := op.Method.Role == Put || op.Method.Role == Delete
			if written && op.Call.Parent() == flusher && (op.Wrapped == nil || op.Wrapped.Field == "") {
				ops = append(ops, op)
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
			for _, op := range ops {
				if w, ok := r.stagedOp(stager, flusher, op, parts, staged); ok {
					changed = r.addStaged(stager, w) || changed
				}
			}
		}
	}
	return changed
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
	case *ssa.UnOp:
		if v.Op != token.MUL {
			break
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
	if !ok || len(fn.Params) == 0 || fa.X != fn.Params[0] {
		return nil
	}
	return FieldOf(fa)
}

// stagedParts returns what fn, a stager or (at depth > 0) a method that
// a stager calls with its receiver, stores in the parts of its
// receiver's buffers: a map update u.ops[key] = o, or an append to
// u.order. bound gives the values that fn's parameters stand for in the
// stager.
func (r *Result) stagedParts(fn *ssa.Function, bound map[*ssa.Parameter]ssa.Value, depth int) map[bufferPart]ssa.Value {
	resolve := func(v ssa.Value) ssa.Value {
		for range maxDepth {
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
			case *ssa.Store:
				fa, ok := instr.Addr.(*ssa.FieldAddr)
				if !ok || len(fn.Params) == 0 || fa.X != fn.Params[0] {
					continue
				}
				if elem := appended(instr.Val); elem != nil {
					put(FieldOf(fa), "elem", elem)
				}
			case *ssa.Call:
				callee := instr.Call.StaticCallee()
				args := instr.Call.Args
				if depth >= 3 || callee == nil || callee.Pkg != r.pkg || callee.Blocks == nil || len(args) == 0 ||
					len(fn.Params) == 0 || args[0] != fn.Params[0] || !sameReceiver(callee, fn) {
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
	c := &compiler{model: r, fn: flusher, override: override}
	w := WrappedOp{Role: op.Method.Role, Method: op.Method.FullName(), Collapses: collapses(staged)}
	if op.Wrapped != nil {
		w.Method = op.Wrapped.Method
	}
	keyGiven := false
	for o := Operand(0); o < numOperands; o++ {
		ot := OperandTerms{Operand: o}
		for _, src := range op.Sources(o) {
			t := c.guarded(src, op)
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
	at := op.Call.Block()
	for b := at.Idom(); b != nil; b = b.Idom() {
		br, ok := b.Instrs[len(b.Instrs)-1].(*ssa.If)
		if !ok {
			continue
		}
		then, els := b.Succs[0].Dominates(at), b.Succs[1].Dominates(at)
		if then == els {
			continue
		}
		cond := Cond{Term: c.term(br.Cond, 1), Want: then}
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
