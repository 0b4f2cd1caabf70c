package kvapi

import (
	"cmp"
	"fmt"
	"go/constant"
	"go/token"
	"go/types"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// Same reports whether operand o of a and b is provably the same: the
// same SSA value, equal constants, or equal expressions over the same
// values ("rate:" + ip twice, fmt.Sprintf("u:%s", id) twice, a wrapper's
// key Term bound to the same argument). A namespace is the same when it
// is the same value or opened by the same binding name, or when wrappers
// compute it, however, from the same values only: an adapter's Get and Set
// on one receiver use one namespace.
func (r *Result) Same(a, b *Op, o Operand) bool {
	ids := r.identities(b, o)
	for _, id := range r.identities(a, o) {
		if slices.Contains(ids, id) {
			return true
		}
	}
	return false
}

// SelfKeyedRead returns the get whose record the put writes back under
// the record's own id: st.Get(ctx, SessionKey(cookie)) decoded into sess,
// then st.Put(ctx, SessionKey(sess.ID), ...) with sess changed. The keys
// are built alike, the second from what the first read.
func (r *Result) SelfKeyedRead(put *Op) *Op {
	keys := put.Sources(Key)
	if len(keys) != 1 {
		return nil
	}
	// The same words of text (sess . of sess.PlayerID+"."+sess.ID, and of
	// the pair strings.Cut(token, ".") split), built from the record read.
	words := Words(r.KeyText(keys[0]))
	if len(words) == 0 {
		return nil
	}
	if put.KeyDrawnInside() {
		return nil // a new record under a key drawn by the wrapper
	}
	for _, get := range r.OpsIn(put.Call.Parent(), Get) {
		reads := get.Results()
		gk := get.Sources(Key)
		if len(reads) == 0 || len(gk) != 1 || !Before(get.Call, put.Call) || !slices.Equal(Words(r.KeyText(gk[0])), words) ||
			!r.Same(get, put, Namespace) || !r.DependsOnAny(keys[0].Inputs(), put.Call, reads) {
			continue
		}
		// A new record under a key drawn here, copied from the old, or a
		// copy given another id (b.ID = newID) and saved as its own; an
		// id drawn on the branch that reads nothing (a new conversation
		// when none is named) is another request's.
		if r.keyDrawnWith(put, get) || keyFieldSet(put, keys[0], get) {
			continue
		}
		for _, src := range put.Sources(Value) {
			if r.DependsOnAny(src.Inputs(), put.Call, reads) {
				return get
			}
		}
	}
	return nil
}

// keyFieldSet reports whether a field of a record that the put's key
// src reads is set after get and before the put, or the record is
// assigned whole from something else than a call: the record's id
// changed (b.ID = newID), or a new record built (next := referral{Code:
// rc.Code + "-" + friend}, &License{ID: to, ...}), saved under its own
// key, a copy and not the record read. A record given its id before the
// get reads it (c := Conversation{ID: id}, then decoded into) is the one
// read.
func keyFieldSet(put *Op, src Source, get *Op) bool {
	type field struct {
		base ssa.Value
		name string
	}
	var read []field
	seen := map[ssa.Value]bool{}
	var walk func(v ssa.Value, depth int)
	walk = func(v ssa.Value, depth int) {
		if depth > 6 || seen[v] {
			return
		}
		seen[v] = true
		switch v := v.(type) {
		case *ssa.UnOp:
			if fa, ok := v.X.(*ssa.FieldAddr); ok {
				read = append(read, field{fa.X, fieldName(fa.X.Type(), fa.Field)})
			}
		case *ssa.BinOp:
			walk(v.X, depth+1)
			walk(v.Y, depth+1)
		case *ssa.Call:
			for _, a := range v.Call.Args {
				walk(a, depth+1)
			}
		case *ssa.Convert:
			walk(v.X, depth+1)
		}
	}
	for _, in := range src.Inputs() {
		walk(in, 0)
	}
	if src.Term != nil {
		// A wrapper's key of a field of what it is given: lic.Save(ctx)
		// keyed by lic.ID.
		src.Term.Find(func(t *Term) bool {
			if t.Op == TermField && len(t.Args) == 1 && t.Args[0].Op == TermParam && t.Args[0].Index < len(src.Args) {
				read = append(read, field{src.Args[t.Args[0].Index], t.Name})
			}
			return false
		})
	}
	for _, b := range put.Call.Parent().Blocks {
		for _, instr := range b.Instrs {
			st, ok := instr.(*ssa.Store)
			if !ok || !Before(st, put.Call) || !Before(get.Call, st) {
				continue
			}
			for _, f := range read {
				if fa, ok := st.Addr.(*ssa.FieldAddr); ok && fa.X == f.base && fieldName(fa.X.Type(), fa.Field) == f.name {
					return true
				}
				if _, fromCall := st.Val.(*ssa.Extract); st.Addr == f.base && !fromCall {
					return true
				}
			}
		}
	}
	return false
}

// KeyDrawnInside reports whether put calls a wrapper that joins to the
// key a part of its own making, not known here: the new token of Mint,
// drawn inside it ("by-listener:" + listener + ":" + rand.Text()), or the
// id of a record it makes.
func (put *Op) KeyDrawnInside() bool {
	var ownPart func(t *Term) bool
	ownPart = func(t *Term) bool {
		switch t.Op {
		case TermOpaque:
			return len(t.Args) == 0
		case TermBinOp, TermCall, TermPhi, TermConvert:
			return slices.ContainsFunc(t.Args, ownPart)
		case TermField:
			// The id of a record it makes (sess.key() of &Session{ID:
			// newID()}), not of one it holds or is given.
			return len(t.Args) == 1 && t.Args[0].Op == TermOpaque
		}
		return false // a field of what it holds (its prefix) is the same each time
	}
	return put.Wrapped != nil && slices.ContainsFunc(put.Sources(Key), func(src Source) bool {
		return src.Term != nil && ownPart(src.Term)
	})
}

// KeyDrawn reports whether the put's key is made from a value drawn
// fresh in this function (a new id, a random token).
func (r *Result) KeyDrawn(put *Op) bool { return r.keyDrawnWith(put, nil) }

// keyDrawnWith is KeyDrawn, counting only values drawn where get, if
// given, may run too: not on a branch apart from it.
func (r *Result) keyDrawnWith(put, get *Op) bool {
	for _, src := range put.Sources(Key) {
		for _, in := range src.Inputs() {
			if r.Backward(in, put.Call, func(s Step) bool {
				if get != nil && apart(s.Value, get.Call) {
					return false
				}
				call, ok := s.Value.(*ssa.Call)
				return ok && Fresh(call) || drawnHere(s.Value, put) && filledFresh(s.Value)
			}) {
				return true
			}
		}
	}
	return false
}

// apart reports whether v is made by an instruction on a branch that
// never runs together with instr: neither can run before the other.
func apart(v ssa.Value, instr ssa.Instruction) bool {
	made, ok := v.(ssa.Instruction)
	return ok && made.Parent() == instr.Parent() && !Before(made, instr) && !Before(instr, made)
}

// drawnHere reports whether v is made in the function that holds put, or
// a closure of it: a buffer another function fills, reached through a
// field that both store to, is another request's.
func drawnHere(v ssa.Value, put *Op) bool {
	instr, ok := v.(ssa.Instruction)
	return ok && Outermost(instr.Parent()) == Outermost(put.Call.Parent())
}

// filledFresh reports whether v is a buffer that a call drawing
// something new fills: buf of rand.Read(buf), made by make([]byte, 24).
func filledFresh(v ssa.Value) bool {
	switch v.Type().Underlying().(type) {
	case *types.Slice, *types.Pointer:
	default:
		return false // a string or a number given to a call is not filled by it
	}
	bufs := []ssa.Value{v}
	if alloc, ok := v.(*ssa.Alloc); ok {
		for _, ref := range *alloc.Referrers() {
			if sl, ok := ref.(*ssa.Slice); ok {
				bufs = append(bufs, sl)
			}
		}
	}
	for _, buf := range bufs {
		refs := buf.Referrers()
		if refs == nil {
			continue // a constant, a function
		}
		for _, ref := range *refs {
			if call, ok := ref.(*ssa.Call); ok && slices.Contains(call.Call.Args, buf) && Fresh(call) {
				return true
			}
		}
	}
	return false
}

// ReadsInside reports whether put calls a wrapper that itself reads the
// key it writes: a read-modify-write that is the wrapper's, reported
// inside it and not again at each caller. The keys are the same when they
// provably are here, or when the wrapper computes both the same way.
func (r *Result) ReadsInside(put *Op) bool {
	if put.Wrapped == nil {
		return false
	}
	key := put.Wrapped.operand(Key).String()
	for _, get := range r.OpsAt(put.Call) {
		if get.Method.Role == Get &&
			(key != "" && get.Wrapped.operand(Key).String() == key || r.Same(get, put, Key)) {
			return true
		}
	}
	return false
}

// ReadOf returns a get of the put's key whose value the put writes back
// changed, a read-modify-write, or nil.
func (r *Result) ReadOf(put *Op) *Op {
	for _, get := range r.GetsOf(put) {
		reads := get.Results()
		for _, src := range put.Sources(Value) {
			// A wrapper that computes the value from its parameter changes
			// it, unless it is given what was read, untouched (a record
			// stored again with a new lifetime).
			changed := src.Term != nil && src.Term.Op != TermParam && src.Term.Op != TermOpaque
			for _, in := range src.Inputs() {
				if r.ChangedFrom(in, put.Call, reads) || changed && !(untouched(in, reads, put.Call) && !writesMetadata(put)) && r.DependsOn(in, put.Call, reads) {
					return get
				}
			}
		}
	}
	return nil
}

// untouched reports whether v is one of reads itself, into which nothing
// is stored through a field or an element: h of h, err := key.Load(ctx),
// given back to key.Store(ctx, h, ttl).
func untouched(v ssa.Value, reads []ssa.Value, put ssa.CallInstruction) bool {
	if !slices.Contains(reads, v) {
		return false
	}
	var storedThrough func(v ssa.Value, depth int) bool
	storedThrough = func(v ssa.Value, depth int) bool {
		if depth > maxDepth {
			return true
		}
		for _, ref := range *v.Referrers() {
			switch x := ref.(type) {
			case *ssa.Store:
				if x.Addr == v {
					return true
				}
			case *ssa.Field, *ssa.FieldAddr, *ssa.IndexAddr, *ssa.Index, *ssa.Slice, *ssa.UnOp:
				if storedThrough(x.(ssa.Value), depth+1) {
					return true
				}
			case *ssa.Call:
				if x != put && sharesMemory(v.Type()) {
					return true // perhaps changed by the call it is given to
				}
			}
		}
		return false
	}
	return !storedThrough(v, 0)
}

// writesMetadata reports whether put also writes metadata that is not a
// constant: a value written back as it was read, with its metadata
// changed (meta.Status = "paused"), is changed all the same, and where
// that metadata came from is not always an operation (a listing's).
func writesMetadata(put *Op) bool {
	for _, src := range put.Sources(Metadata) {
		for _, in := range src.Inputs() {
			if _, ok := in.(*ssa.Const); !ok {
				return true
			}
		}
	}
	return false
}

// sharesMemory reports whether a value of type t lets a function it is
// given change what the caller holds: a pointer, slice, map or interface.
func sharesMemory(t types.Type) bool {
	switch t.Underlying().(type) {
	case *types.Pointer, *types.Slice, *types.Map, *types.Interface, *types.Chan:
		return true
	}
	return false
}

// KeptRead returns the get in another method of the put's receiver whose
// record that method keeps in a field, which the put's function writes
// back under a key made from it: a request object that loads the session
// in one method and saves it in another. Both keys have the same text.
func (r *Result) KeptRead(put *Op) *Op {
	fn := outermost(put.Call.Parent())
	if fn.Signature.Recv() == nil || len(fn.Params) == 0 {
		return nil
	}
	// The receiver's fields fn reads, loaded or by address
	// (json.Marshal(&s.Rec)).
	loads := make(map[*types.Var][]ssa.Value)
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			switch v := instr.(type) {
			case *ssa.UnOp:
				if fa, ok := v.X.(*ssa.FieldAddr); ok && v.Op == token.MUL && isReceiver(fn, fa.X) {
					loads[FieldOf(fa)] = append(loads[FieldOf(fa)], v)
				}
			case *ssa.FieldAddr:
				if isReceiver(fn, v.X) {
					loads[FieldOf(v)] = append(loads[FieldOf(v)], v)
				}
			}
		}
	}
	from := func(o Operand, vals []ssa.Value) bool {
		return slices.ContainsFunc(put.Sources(o), func(s Source) bool { return r.DependsOnAny(s.Inputs(), put.Call, vals) })
	}
	// One key: the same text, or the same field of the receiver (s.key,
	// set where the record was loaded).
	keys := put.Sources(Key)
	if len(keys) != 1 {
		return nil
	}
	text, keyField := r.KeyText(keys[0]), keyReceiverField(fn, keys[0])
	if text == "" && keyField == nil {
		return nil
	}
	// The key is the receiver's too: its record's own id, or an id kept
	// beside it (s.ID, set where the record was loaded).
	var kept []ssa.Value
	for _, vals := range loads {
		kept = append(kept, vals...)
	}
	if !from(Key, kept) {
		return nil
	}
	for field, vals := range loads {
		if !from(Value, vals) || setBefore(fn, field, put.Call) {
			continue
		}
		for _, m := range r.funcs {
			if m == fn || !sameReceiver(m, fn) {
				continue
			}
			for _, get := range r.OpsIn(m, Get) {
				gk := get.Sources(Key)
				if len(gk) != 1 || !(text != "" && r.KeyText(gk[0]) == text || keyField != nil && keyReceiverField(m, gk[0]) == keyField) {
					continue
				}
				if keptIn(m, field, func(v ssa.Value, at ssa.Instruction) bool { return r.DependsOn(v, at, get.Results()) }) {
					return get
				}
			}
		}
	}
	return nil
}

// keyReceiverField returns the field of fn's receiver that src, a key, is
// read from as it is (s.key), or nil.
func keyReceiverField(fn *ssa.Function, src Source) *types.Var {
	if ins := src.Inputs(); len(ins) == 1 {
		return receiverField(fn, Unconverted(ins[0]))
	}
	return nil
}

// setBefore reports whether fn sets field of its receiver, whole, before
// call on every path: st.sess = Session{ID: newID()} before saving it is
// this request's own value, not one kept from a read.
func setBefore(fn *ssa.Function, field *types.Var, call ssa.Instruction) bool {
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if st, ok := instr.(*ssa.Store); ok {
				if fa, ok := st.Addr.(*ssa.FieldAddr); ok && isReceiver(fn, fa.X) && FieldOf(fa) == field && dominates(st, call) {
					return true
				}
			}
		}
	}
	return false
}

// keptIn reports whether method m stores into field of its receiver a
// value for which from holds, or hands the field's address to a call
// along with such a value: json.Unmarshal(raw, &st.sess) decodes what
// was read into it.
func keptIn(m *ssa.Function, field *types.Var, from func(ssa.Value, ssa.Instruction) bool) bool {
	isField := func(v ssa.Value) bool {
		if mi, ok := v.(*ssa.MakeInterface); ok {
			v = mi.X // json.Unmarshal's any
		}
		fa, ok := v.(*ssa.FieldAddr)
		return ok && isReceiver(m, fa.X) && FieldOf(fa) == field
	}
	for _, b := range m.Blocks {
		for _, instr := range b.Instrs {
			switch instr := instr.(type) {
			case *ssa.Store:
				if isField(instr.Addr) && from(instr.Val, instr) {
					return true
				}
			case *ssa.Call:
				args := instr.Call.Args
				filled := slices.ContainsFunc(args, func(a ssa.Value) bool { return isField(Unconverted(a)) })
				if filled && slices.ContainsFunc(args, func(a ssa.Value) bool { return !isField(Unconverted(a)) && from(a, instr) }) {
					return true
				}
			}
		}
	}
	return false
}

// keyFromValue reports whether the wrapper computes its key from the
// parameter that it writes: Save(rec) with rec.Key().
func keyFromValue(w *WrappedOp) bool {
	vals := w.operand(Value).Terms
	for _, k := range w.operand(Key).Terms {
		for _, kp := range k.appendParams(nil) {
			for _, v := range vals {
				for _, vp := range v.appendParams(nil) {
					if kp.Index == vp.Index && kp.Index > 0 {
						return true
					}
				}
			}
		}
	}
	return false
}

// receiverType returns the named type whose method fn is, generic types
// by their origin: Repo[T] for Repo[Session].Get.
func receiverType(fn *types.Func) *types.TypeName {
	recv := fn.Signature().Recv()
	if recv == nil {
		return nil
	}
	t := recv.Type()
	if ptr, ok := t.(*types.Pointer); ok {
		t = ptr.Elem()
	}
	if named, ok := types.Unalias(t).(*types.Named); ok {
		return named.Origin().Obj()
	}
	return nil
}

// recordGets returns the gets, before put in its function, of records
// that carry their own key. A generic repository's Save(rec) takes the key
// from rec.Key(), and rec is what Get(id) read; or the put's key is
// computed by a function of the record read (l.Key(), keyOf(l)). The
// put's key then has the same constant text as the get's, in the same
// namespace.
func (r *Result) recordGets(put *Op) []*Op {
	// (A bulk write of one pair with its key, a wrapper's PutTTL over
	// an SDK whose single write takes no lifetime, is a put too.)
	if put.Method.Role != Put && (put.Method.Role != BulkPut || len(put.Sources(Key)) == 0) {
		return nil
	}
	byValue := put.Wrapped != nil && keyFromValue(put.Wrapped)
	var out []*Op
	keys := put.Sources(Key)
	for _, get := range r.getsAround(put.Call.Parent()) {
		if get.Call == put.Call || !Before(get.Call, put.Call) || !r.Same(get, put, Namespace) {
			continue
		}
		sameRepo := byValue && put.Method.Role == Put && get.Wrapper != nil && receiverType(get.Wrapper) != nil && receiverType(get.Wrapper) == receiverType(put.Wrapper)
		reads := get.Results()
		// A record that helpers load and then save by its own Key()
		// (kvx.Load[Badge](ctx, s, k), or current(b, r) for a session,
		// then kvx.Save(ctx, s, badge)) is written where it was read,
		// however each key is spelled: a typed key's String() for the
		// one, the record's Key() for the other.
		oneStore := get.Wrapper != nil && put.Wrapper != nil
		for _, k := range keys {
			gk := get.Sources(Key)
			if len(gk) != 1 {
				continue
			}
			if oneStore && r.ownKeyOfRecord(r.pastSharedPrefix(k, gk[0]), reads) {
				out = append(out, get)
				break
			}
			gt, pt := r.KeyText(gk[0]), r.KeyText(k)
			if gt != pt && (gt != "" && pt != "" || !sameRepo) {
				// A text known on one side only says nothing of one
				// repository's keys: a helper's text seen through its
				// syntax, a record's method's not.
				continue
			}
			// Keys of one kind: with the same constant text, or built by
			// the same helper of another package (keys.Referral(code)).
			// (A one-pair bulk write needs the text: typed keys' String
			// methods name no kind, and it may write a reminder beside
			// the record, keys.ReminderKey(t.Key).)
			kind := gt == pt && (pt != "" || keyMaker(k) != "" && keyMaker(k) == keyMaker(gk[0]) && put.Method.Role == Put)
			if sameRepo && r.keyedByRead(put, k, reads) || kind && (r.keyOfRecord(k, reads) || r.ownKeyOfRecord(k, reads)) {
				out = append(out, get)
				break
			}
		}
	}
	return out
}

// keyMaker names the function that builds the key src, when the whole
// key is what it returns.
func keyMaker(src Source) string {
	v := src.Value
	if t := src.Term; t != nil {
		switch {
		case t.Op == TermCall:
			return t.Name
		case t.Op == TermParam && t.Index < len(src.Args):
			v = src.Args[t.Index] // the argument passed whole
		default:
			return ""
		}
	}
	if call, ok := v.(*ssa.Call); ok {
		return CalleeName(call)
	}
	return ""
}

// keyedByRead reports whether a repository's put computes its key k from
// what was read, or is given the record read back whole (even when its
// key field is known to be set elsewhere, as load does for a new record).
func (r *Result) keyedByRead(put *Op, k Source, reads []ssa.Value) bool {
	if r.DependsOnAny(k.Inputs(), put.Call, reads) && !r.rekeyed(k.Inputs(), put.Call, reads) {
		return true
	}
	return slices.ContainsFunc(keyArgs(put), func(a ssa.Value) bool { return r.sameRecord(a, reads, 0) })
}

// keyOfRecord reports whether key k is computed by a call given the
// record read, or a field of it: l.Key(), keyOf(l) or keyOf(l.ID) for the
// l that the get loaded (and whose ID was not set anew).
func (r *Result) keyOfRecord(k Source, reads []ssa.Value) bool {
	if t := k.Term; t != nil && t.Find(func(s *Term) bool {
		// A wrapper that keys the record it is given by one of its
		// fields: savePass(p) writing "pass:" + p.ID.
		return s.Op == TermField && len(s.Args) == 1 && s.Args[0].Op == TermParam && s.Args[0].Index < len(k.Args) &&
			r.sameRecord(retyped(k.Args[s.Args[0].Index]), reads, 0)
	}) != nil {
		return true
	}
	return slices.ContainsFunc(k.Inputs(), func(in ssa.Value) bool { return r.keyedByRecord(in, reads, 0) })
}

// pastSharedPrefix returns k without the prefix it shares with the get's
// key gk: prefix + rec.Key() of a scope that the record was read from by
// prefix + id is rec.Key(). (One scope's prefix, the same on both sides;
// not two scopes of one namespace.)
func (r *Result) pastSharedPrefix(k, gk Source) Source {
	kt, gt := k.Term, gk.Term
	if kt == nil || gt == nil || kt.Op != TermBinOp || gt.Op != TermBinOp || kt.Tok != token.ADD || gt.Tok != token.ADD {
		return k
	}
	kp, okK := r.identity(Source{Term: kt.Args[0], Args: k.Args}, false)
	gp, okG := r.identity(Source{Term: gt.Args[0], Args: gk.Args}, false)
	if !okK || !okG || kp != gp {
		return k
	}
	k.Term = kt.Args[1]
	return k
}

// ownKeyOfRecord reports whether k is the record read asked for its own
// key through a type parameter or an interface, save(rec) with rec.Key()
// after rec was loaded by its key, or given whole to a function named for
// keys, kvkey.Of(rec): the key it was read under.
func (r *Result) ownKeyOfRecord(k Source, reads []ssa.Value) bool {
	t := k.Term
	// The text of a typed key made from the record's key,
	// keys.ScopeKey(v.Key()).String(), is that key.
	for t != nil && len(t.Args) == 1 && t.Args[0].Op != TermParam &&
		(t.Op == TermConvert || t.Op == TermCall && strings.HasPrefix(t.Name, keyMethodPrefix)) {
		t = t.Args[0]
	}
	if t == nil || t.Op != TermCall || len(t.Args) != 1 {
		return false
	}
	if !strings.HasPrefix(t.Name, keyMethodPrefix) && !namedForKey().MatchString(path.Base(t.Name)) {
		return false
	}
	recv := t.Args[0]
	if recv.Op != TermParam || recv.Index >= len(k.Args) {
		return false
	}
	return r.sameRecord(retyped(k.Args[recv.Index]), reads, 0)
}

// keyedByRecord reports whether v, a key or a part of one, is a call
// given the record read or one of its fields, or a concatenation with
// such a field: keyOf(l), keyOf(l.ID), "doc:" + l.ID.
func (r *Result) keyedByRecord(v ssa.Value, reads []ssa.Value, depth int) bool {
	if depth > 3 {
		return false
	}
	switch x := v.(type) {
	case *ssa.Call:
		args := x.Call.Args
		if x.Call.StaticCallee() == nil {
			if keyFuncField(x) == nil {
				return false
			}
			args = r.partsOf(x) // grantAt(g.DeviceCode), a key builder's parts
		}
		if slices.ContainsFunc(args, func(a ssa.Value) bool { return r.sameRecord(a, reads, 0) }) {
			return true
		}
		return slices.ContainsFunc(args, func(a ssa.Value) bool { return r.fieldOfRecord(a, reads) }) && !r.rekeyed(args, x, reads)
	case *ssa.BinOp:
		if x.Op != token.ADD {
			return false
		}
		for _, side := range []ssa.Value{x.X, x.Y} {
			if r.fieldOfRecord(side, reads) && !r.rekeyed([]ssa.Value{side}, x, reads) || r.keyedByRecord(side, reads, depth+1) {
				return true
			}
		}
	}
	return false
}

// partsOf returns the arguments of call, the elements of a variadic
// slice each on its own.
func (r *Result) partsOf(call *ssa.Call) []ssa.Value {
	var out []ssa.Value
	router := routesStore(call)
	for _, a := range call.Call.Args {
		if router && IsContext(a.Type()) {
			continue // the request's, not a part of the store asked for
		}
		if s, ok := a.(*ssa.Slice); ok && call.Call.Signature().Variadic() {
			out = append(out, r.elements(s, 0)...)
			continue
		}
		out = append(out, a)
	}
	return out
}

// fieldOfRecord reports whether v is a field of the record read: l.ID of
// the l the get loaded, held as a value or in a variable.
func (r *Result) fieldOfRecord(v ssa.Value, reads []ssa.Value) bool {
	switch x := v.(type) {
	case *ssa.Field:
		return r.sameRecord(x.X, reads, 0)
	case *ssa.UnOp:
		fa, ok := x.X.(*ssa.FieldAddr)
		if !ok || x.Op != token.MUL {
			return false
		}
		if alloc, ok := fa.X.(*ssa.Alloc); ok {
			stored := r.storedInto(alloc)
			if len(stored) == 0 {
				return decodedInto(alloc, reads) // var ep Episode; GetObject(ctx, key, &ep)
			}
			return !slices.ContainsFunc(stored, func(s ssa.Value) bool { return !r.sameRecord(s, reads, 1) })
		}
		return r.sameRecord(fa.X, reads, 0) // a pointer to the record read
	}
	return false
}

// decodedInto reports whether a get of reads, a wrapper that decodes
// into its parameter, is given the address of alloc.
func decodedInto(alloc *ssa.Alloc, reads []ssa.Value) bool {
	for _, read := range reads {
		call, ok := read.(*ssa.Call)
		if !ok {
			continue
		}
		if slices.ContainsFunc(call.Call.Args, func(arg ssa.Value) bool { return retyped(arg) == alloc }) {
			return true
		}
	}
	return false
}

// sameRecord reports whether v is one of reads, or a variable that holds
// only one of them: the record read, changed in place (t.apply(ev)), not
// one made from its parts.
func (r *Result) sameRecord(v ssa.Value, reads []ssa.Value, depth int) bool {
	if depth > maxDepth {
		return false
	}
	if slices.Contains(reads, v) {
		return true
	}
	load, ok := v.(*ssa.UnOp)
	if !ok || load.Op != token.MUL {
		return false
	}
	var stored []ssa.Value
	switch x := load.X.(type) {
	case *ssa.Alloc:
		stored = r.storedInto(x)
	case *ssa.FreeVar:
		// A variable captured by the closure: set here or by its maker.
		stored = r.storedInto(x)
		for _, ref := range *x.Referrers() {
			if store, ok := ref.(*ssa.Store); ok && store.Addr == x {
				stored = append(stored, store.Val)
			}
		}
	default:
		return false
	}
	return len(stored) > 0 && !slices.ContainsFunc(stored, func(s ssa.Value) bool { return !r.sameRecord(s, reads, depth+1) })
}

// keyArgs returns the arguments of the wrapper call put from which the
// wrapper computes its key.
func keyArgs(put *Op) []ssa.Value {
	var args []ssa.Value
	for _, t := range put.Wrapped.operand(Key).Terms {
		for _, p := range t.appendParams(nil) {
			if p.Index < len(put.Args) && !slices.Contains(args, put.Args[p.Index]) {
				args = append(args, put.Args[p.Index])
			}
		}
	}
	return args
}

// rekeyed reports whether the key is a field of the record read that was
// then set to something else: pt.Token = newID() gives the record a new
// key, and writing it creates another record.
func (r *Result) rekeyed(inputs []ssa.Value, at ssa.Instruction, reads []ssa.Value) bool {
	for _, in := range inputs {
		load, ok := in.(*ssa.UnOp)
		if !ok || load.Op != token.MUL {
			continue
		}
		addr, ok := load.X.(*ssa.FieldAddr)
		if !ok {
			continue
		}
		for _, ref := range *addr.X.Referrers() {
			other, ok := ref.(*ssa.FieldAddr)
			if !ok || other.Field != addr.Field {
				continue
			}
			for _, v := range r.storedInto(other) {
				if !r.DependsOnAny([]ssa.Value{v}, at, reads) {
					return true
				}
			}
		}
	}
	return false
}

// GetsOf returns the gets of the same key in the same namespace as op,
// in source order. The gets are indexed by the identity of their key, so
// that asking for every put costs time linear in the operations.
func (r *Result) GetsOf(op *Op) []*Op {
	r.indexGets.Do(func() {
		r.getsByKey = make(map[string][]*Op)
		for _, get := range r.Ops {
			if get.Method.Role != Get {
				continue
			}
			for _, id := range r.identities(get, Key) {
				r.getsByKey[id] = append(r.getsByKey[id], get)
			}
		}
	})
	var gets []*Op
	for _, id := range r.identities(op, Key) {
		for _, get := range r.getsByKey[id] {
			if !slices.Contains(gets, get) && r.Same(get, op, Namespace) {
				gets = append(gets, get)
			}
		}
	}
	for _, get := range r.recordGets(op) {
		if !slices.Contains(gets, get) {
			gets = append(gets, get)
		}
	}
	slices.SortFunc(gets, func(a, b *Op) int { return cmp.Compare(a.index, b.index) })
	return gets
}

// identities returns the identities of op's sources of operand o that
// are known (see identity).
func (r *Result) identities(op *Op, o Operand) []string {
	var ids []string
	for _, src := range op.Sources(o) {
		id, ok := r.identity(src, o == Namespace)
		if !ok && o == Key {
			// A key whose making is not followed (a script engine's
			// call.Argument(0).String()) is still itself: one variable
			// given to a get and a put names one key.
			if v := passedAsIs(src); v != nil {
				id, ok = fmt.Sprintf("value@%p", v), true
			}
		}
		if ok && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids
}

// passedAsIs returns the value of this package that src is, as it is or
// as a wrapper passes its argument on unchanged; nil otherwise.
func passedAsIs(src Source) ssa.Value {
	switch {
	case src.Term == nil:
		return src.Value
	case src.Term.Op == TermParam && src.Term.Index < len(src.Args):
		return src.Args[src.Term.Index]
	}
	return nil
}

// Inside returns the one operation of op's role inside op's wrapper when
// the wrapper is a function of this package, and else op itself: where a
// finding about what the wrapper itself does (its arithmetic, its
// treatment of errors) belongs.
func (r *Result) Inside(op *Op) *Op {
	callee := op.Call.Common().StaticCallee()
	if op.Wrapped == nil || callee == nil || callee.Pkg != r.pkg {
		return op
	}
	if inner := r.OpsIn(callee, op.Method.Role); len(inner) == 1 {
		return inner[0]
	}
	return op
}

// getsAround returns the gets in fn and, when fn is a closure that runs
// in line where it is made (a deferred write-back, defer func() { ...
// Save(sess) }()), in the functions around it. A closure started as a
// goroutine is work of its own (go func() { e.evaluateOne(ctx, r) }()
// over the rules listed).
func (r *Result) getsAround(fn *ssa.Function) []*Op {
	gets := r.OpsIn(fn, Get)
	for ; fn.Parent() != nil && runsInLine(r.RunSites(fn)); fn = fn.Parent() {
		gets = append(gets, r.OpsIn(fn.Parent(), Get)...)
	}
	return gets
}

// runsInLine reports whether sites run a closure, none as a goroutine.
func runsInLine(sites []ssa.CallInstruction) bool {
	return len(sites) > 0 && !slices.ContainsFunc(sites, func(c ssa.CallInstruction) bool { _, g := c.(*ssa.Go); return g })
}

// OpsIn returns the operations of role whose calls are in fn (not in
// closures that fn makes: those are the closures'), in source order.
// The slice is shared: clipped, so that a caller's append copies it.
func (r *Result) OpsIn(fn *ssa.Function, role Role) []*Op {
	return slices.Clip(r.byFunc[funcRole{fn, role}])
}

// OpsAt returns the operations of one call: a wrapper's call may be
// several (a get and a put). The slice is shared, and clipped.
func (r *Result) OpsAt(call ssa.CallInstruction) []*Op {
	return slices.Clip(r.byCall[call])
}

type funcRole struct {
	fn   *ssa.Function
	role Role
}

// identity renders a source as a canonical string, with values that have
// no structure (parameters, results of calls with effects) named by their
// identity. ok is false when the value is not known well enough.
//
// With byInputs, a wrapper's Term that is not known, yet depends on its
// parameters only, renders as those parameters: right for a namespace,
// which a wrapper derives from its receiver, and wrong for a key, which
// it may draw at random.
func (r *Result) identity(src Source, byInputs bool) (string, bool) {
	if src.manyElems {
		return "", false
	}
	var b strings.Builder
	w := &identityWriter{model: r, b: &b, ok: true, byInputs: byInputs}
	if src.Term != nil {
		w.term(src.Term, src.Args, 0)
		if t := src.Term; t.Op == TermField && t.Args[0].Op == TermOpaque {
			return "", false // a field of something unknown, and nothing else: any key at all
		}
	} else if t := r.helperTerm(src); t != nil {
		w.term(t, src.madeBy.Call.Args, 0) // params := s.base(): s.NS as the caller's s
	} else {
		w.value(src.Value, 0)
	}
	return b.String(), w.ok
}

// helperTerm returns the Term of a source that a helper of this package
// computed from its parameters, over them, or nil.
func (r *Result) helperTerm(src Source) *Term {
	if src.madeBy == nil {
		return nil
	}
	return r.madeTerm(src)
}

// SameValue reports whether a and b are one value as keys are named:
// two reads of one field, s.id here and s.id there.
func (r *Result) SameValue(a, b ssa.Value) bool {
	if a == b {
		return true
	}
	ia, okA := r.identity(Source{Value: a}, false)
	ib, okB := r.identity(Source{Value: b}, false)
	return okA && okB && ia == ib
}

// maxIdentityDepth bounds the nesting an identity renders: deeper than
// Terms compile, as a key is built by helpers of helpers (an ID from a
// period from a clock), each adding levels.
const maxIdentityDepth = 2 * maxDepth

type identityWriter struct {
	model    *Result
	b        *strings.Builder
	ok       bool
	byInputs bool // see identity
	lifts    int  // parameters rendered as their callers' arguments
}

// lift returns, for a namespace, what the one caller of a helper passes
// for v, a parameter of it (see onlyArg), and so on up; v otherwise.
func (w *identityWriter) lift(v ssa.Value) ssa.Value {
	for w.byInputs && w.lifts < maxDepth {
		var arg ssa.Value
		switch x := v.(type) {
		case *ssa.Parameter:
			arg = w.model.onlyArg(x)
		case *ssa.UnOp:
			arg = heldPointer(x) // b of b := NewBatch(kv), captured by a closure
		}
		if arg == nil {
			break
		}
		w.lifts++
		v = arg
	}
	return v
}

// elemsField writes field name of the one element of slice, which the
// caller builds: the key of the one pair of PutMany(ctx, []Item{{Name:
// name}}) that a wrapper writes in bulk.
func (w *identityWriter) elemsField(slice ssa.Value, name string, depth int) {
	held := w.model.heldInOnlyElement(slice, name)
	if held == nil {
		w.ok = false
		return
	}
	w.value(held, depth+1)
}

// renders reports whether src can be written. A field that a builder
// step or a function of another package sets to what cannot (a prefix
// grown in a loop over its ids) is then named by the record that holds
// it: one scope, s.Scope("tutor", id), read and written through, is one
// prefix.
func (w *identityWriter) renders(src Source, depth int) bool {
	try := &identityWriter{model: w.model, b: new(strings.Builder), ok: true, byInputs: w.byInputs, lifts: w.lifts}
	try.source(src, depth)
	return try.ok
}

// source writes src, a Term over its arguments or a value.
func (w *identityWriter) source(src Source, depth int) {
	if src.Term != nil {
		w.term(src.Term, src.Args, depth)
	} else {
		w.value(src.Value, depth)
	}
}

func (w *identityWriter) value(v ssa.Value, depth int) {
	if v == nil {
		w.ok = false
		return
	}
	if depth > maxIdentityDepth {
		// Too deep to render: named by itself, which is the same value
		// wherever it is used (a key built once and both read and written).
		fmt.Fprintf(w.b, "v%p", v)
		return
	}
	switch v := v.(type) {
	case *ssa.Const:
		if v.Value == nil {
			w.b.WriteString("nil")
			return
		}
		w.b.WriteString(v.Value.ExactString())
		return
	case *ssa.ChangeType:
		w.value(v.X, depth+1)
		return
	case *ssa.MakeInterface:
		w.value(v.X, depth+1)
		return
	case *ssa.ChangeInterface:
		// A Store seen as the Reader or Writer it embeds.
		w.value(v.X, depth+1)
		return
	case *ssa.TypeAssert:
		// The same store seen through an optional capability:
		// ns.(MetaWriter); a request's value, ctx.Value(tokenKey).(string).
		if types.IsInterface(v.AssertedType) || contextValue(v.X) {
			w.value(v.X, depth+1)
			return
		}
	case *ssa.Convert:
		w.b.WriteString("(conv ")
		w.value(v.X, depth+1)
		w.b.WriteString(")")
		return
	case *ssa.Slice:
		// Variadic arguments or a slice literal: the same elements make
		// the same slice (Key(ctx, id) here and there), written one by
		// one as a call's variadic arguments are (see partsOf).
		if elems, ok := arrayLiteral(v); ok {
			for i, e := range elems {
				if i > 0 {
					w.b.WriteString(" ")
				}
				w.value(e, depth+1)
			}
			return
		}
	case *ssa.BinOp:
		fmt.Fprintf(w.b, "(%s ", v.Op)
		w.value(v.X, depth+1)
		w.b.WriteString(" ")
		w.value(v.Y, depth+1)
		w.b.WriteString(")")
		return
	case *ssa.UnOp:
		// A load: what a field or variable holds is the same value each
		// time it is read, for the purposes of naming a key or namespace.
		if addr, ok := v.X.(*ssa.FieldAddr); ok {
			if held := w.model.heldIn(w.lift(addr.X), fieldName(addr.X.Type(), addr.Field), 0); held != nil {
				w.value(held, depth+1)
				return
			}
			if portHalf(addr.X.Type(), addr.Field) {
				w.port(addr.X, depth)
				return
			}
			if embeddedPort(addr.X.Type(), fieldName(addr.X.Type(), addr.Field)) {
				w.value(addr.X, depth+1) // s.kv.Put, promoted from the port s.kv embeds
				return
			}
			// A field of what a helper of this package built and
			// returned: p.Key of p, err := entryPair(e) is the key that
			// entryPair set.
			if src, ok := w.model.resultField(addr.X, fieldName(addr.X.Type(), addr.Field)); ok && w.renders(src, depth+1) {
				w.source(src, depth+1)
				return
			}
			fmt.Fprintf(w.b, "(.%s ", fieldName(addr.X.Type(), addr.Field))
			w.value(addr.X, depth+1)
			w.b.WriteString(")")
			return
		}
		if g, ok := v.X.(*ssa.Global); ok {
			w.b.WriteString(g.Pkg.Pkg.Path() + "." + g.Name())
			return
		}
		if alloc, ok := v.X.(*ssa.Alloc); ok && v.Op == token.MUL && w.literal(alloc, depth) {
			return
		}
		if v.Op == token.MUL {
			// A variable set once, captured by closures: what it is set
			// to (ns := s.raw(), shared by a handler factory's closures).
			if alloc, ok := makersVar(v.X).(*ssa.Alloc); ok && alloc.Heap {
				if set := setOnce(alloc); set != nil {
					w.value(set, depth+1)
					return
				}
			}
			// A variable: the same variable, captured by a closure or not.
			w.b.WriteString("(* ")
			w.value(v.X, depth+1)
			w.b.WriteString(")")
			return
		}
	case *ssa.FieldAddr:
		// The address of a struct held in a field: s.ns.ID reads ID
		// through it, the same field that a wrapper's Term names (ns $0).
		fmt.Fprintf(w.b, "(.%s ", fieldName(v.X.Type(), v.Field))
		w.value(v.X, depth+1)
		w.b.WriteString(")")
		return
	case *ssa.Field:
		if portHalf(v.X.Type(), v.Field) {
			w.port(v.X, depth)
			return
		}
		if embeddedPort(v.X.Type(), fieldName(v.X.Type(), v.Field)) {
			w.record(v.X, depth+1) // s.kv.Put, promoted from the port s.kv embeds
			return
		}
		fmt.Fprintf(w.b, "(.%s ", fieldName(v.X.Type(), v.Field))
		w.record(v.X, depth+1)
		w.b.WriteString(")")
		return
	case *ssa.FreeVar:
		// A closure's captured variable is its binding in the parent.
		if bound := w.model.binding(v); bound != nil {
			w.value(bound, depth) // free of cost: closures nest finitely
			return
		}
	case *ssa.Parameter:
		// A parameter of a closure called in one place: what it is passed.
		if v.Parent().Parent() != nil {
			if args := w.model.argsFor(v); len(args) == 1 {
				w.value(args[0], depth+1)
				return
			}
		}
		// A namespace handed down to a helper of this package called in one
		// place is the caller's: a unit of work made from h.kv and given to
		// h.paymentSucceeded writes where h.kv reads. (A helper adds no
		// depth, so that both sides of a comparison lift alike.)
		if arg := w.lift(v); arg != v {
			w.value(arg, depth)
			return
		}
	case *ssa.Extract:
		if ta, ok := v.Tuple.(*ssa.TypeAssert); ok && v.Index == 0 && (types.IsInterface(ta.AssertedType) || contextValue(ta.X)) {
			w.value(ta.X, depth+1) // mw, ok := ns.(MetaWriter); tok, _ := ctx.Value(tokenKey).(string)
			return
		}
		if call, ok := v.Tuple.(*ssa.Call); ok && v.Index == 0 && (opensNamespace(call) || routesStore(call)) {
			w.call(call, depth)
			return
		}
		if call, ok := valueOrError(v); ok {
			w.value(call, depth) // key, err := keyOf(door): the key
			return
		}
		if call, ok := v.Tuple.(*ssa.Call); ok {
			if recv, path := w.model.accessed(call, v.Index); path != nil {
				w.fields(recv, path, depth) // api, rc, ns := s.API(): s.ns
				return
			}
		}
		if call, ok := v.Tuple.(*ssa.Call); ok && call.Call.StaticCallee() != nil {
			if ret := w.model.resultTerm(call.Call.StaticCallee(), v.Index); ret != nil && !readsClock(ret) {
				w.term(ret, call.Call.Args, depth+1) // key, n, err := running(st, org): the key
				return
			}
			if name, ok := pureTuple(call, v.Index); ok {
				w.b.WriteString("(" + name) // user, id, _ := strings.Cut(sid, ".")
				w.args(call, depth)
				w.b.WriteString(")")
				return
			}
		}
	case *ssa.Call:
		if v.Call.IsInvoke() && len(v.Call.Args) == 0 && basic(v.Type(), types.IsString) {
			// key.String() of a key given as a fmt.Stringer, as a
			// wrapper's Term names it (see method).
			w.b.WriteString("(" + keyMethodPrefix + v.Call.Method.Name() + " ")
			w.value(v.Call.Value, depth+1)
			w.b.WriteString(")")
			return
		}
		if _, escape := escapeFuncs[CalleeName(v)]; escape && len(v.Call.Args) == 1 {
			// A key escaped for the URL the SDK puts it in: KV stores
			// the key unescaped, so it is the same key as the raw one.
			w.value(v.Call.Args[0], depth+1)
			return
		}
		// An accessor as the field it returns: s.content.NS() as the
		// namespace of content's own wrappers.
		if recv, path := w.model.accessed(v, 0); path != nil {
			w.fields(recv, path, depth)
			return
		}
		// A helper of this package as what it returns, as Terms see it,
		// or a closure the function keeps: keyFor(day).
		if callee := calledFunc(&v.Call); callee != nil {
			if g := singleton(callee); g != nil {
				// Client(), which returns the client a sync.Once made,
				// or Default(), the instance SetDefault installed: the
				// variable itself, as a load of it and its Term are.
				w.b.WriteString(g.Pkg.Pkg.Path() + "." + g.Name())
				return
			}
			// A helper whose result is not known (clientIP(r)) is this
			// call's own value: the same wherever it is used.
			// So is one that reads the clock (requestID()): each call reads
			// it anew.
			if ret := w.model.returnTerm(callee); ret != nil && (ret.Op != TermOpaque || w.byInputs) && !readsClock(ret) {
				w.term(ret, closureArgs(v, callee), depth+1)
				return
			}
			if ret := w.model.openerTerm(callee); ret != nil {
				w.term(ret, v.Call.Args, depth+1) // b.Namespace() of another package
				return
			}
		}
		if opensNamespace(v) || routesStore(v) || pureCall(v) || getter(v) {
			w.call(v, depth)
			return
		}
		if contextValue(v) {
			// As its Term has it: the context and the key asked for.
			w.b.WriteString("(" + contextValueName + " ")
			w.value(v.Call.Value, depth+1)
			w.b.WriteString(" ")
			if zero := zeroKey(v.Call.Args[0]); zero != "" {
				w.b.WriteString(zero)
			} else {
				w.value(v.Call.Args[0], depth+1)
			}
			w.b.WriteString(")")
			return
		}
		if g := LazyGlobal(v); g != nil {
			w.b.WriteString("(" + g.Pkg.Pkg.Path() + "." + g.Name()) // store.Lobbies(), as its Term has it
			w.args(v, depth)
			w.b.WriteString(")")
			return
		}
		if fn := keyFuncField(v); fn != nil {
			w.b.WriteString("(" + keyFuncName + " ")
			if made := w.model.keyFuncMaker(fn); made != nil {
				w.call(made, depth+1) // as its Term has it: keys.Prefixed("email:")
			} else {
				w.value(fn, depth+1)
			}
			w.args(v, depth)
			w.b.WriteString(")")
			return
		}
	}
	fmt.Fprintf(w.b, "v%p", v)
}

// arrayLiteral returns, in order, the elements of s, a whole slice of an
// array that its function fills once, each element by one store, and
// hands on only as s: variadic arguments, or a literal []string{a, b}.
func arrayLiteral(s *ssa.Slice) ([]ssa.Value, bool) {
	alloc, ok := s.X.(*ssa.Alloc)
	if !ok || s.Low != nil || s.High != nil || s.Max != nil {
		return nil, false
	}
	array, ok := alloc.Type().(*types.Pointer).Elem().Underlying().(*types.Array)
	if !ok || array.Len() > 16 {
		return nil, false
	}
	elems := make([]ssa.Value, array.Len())
	for _, ref := range *alloc.Referrers() {
		switch ref := ref.(type) {
		case *ssa.Slice:
			if ref != s {
				return nil, false
			}
		case *ssa.IndexAddr:
			i, ok := ref.Index.(*ssa.Const)
			if !ok || len(*ref.Referrers()) != 1 {
				return nil, false
			}
			st, ok := (*ref.Referrers())[0].(*ssa.Store)
			if n := i.Int64(); !ok || st.Addr != ref || n < 0 || n >= int64(len(elems)) || elems[n] != nil {
				return nil, false
			}
			elems[i.Int64()] = st.Val
		case *ssa.DebugRef:
		default:
			return nil, false
		}
	}
	if slices.Contains(elems, nil) {
		return nil, false
	}
	return elems, true
}

// fields renders the fields of recv that an accessor returns, outermost
// first in path, as loads of them render.
func (w *identityWriter) fields(recv ssa.Value, path []string, depth int) {
	for i := len(path) - 1; i >= 0; i-- {
		w.b.WriteString("(." + path[i] + " ")
	}
	w.value(recv, depth+1)
	w.b.WriteString(strings.Repeat(")", len(path)))
}

// singleton returns the package variable that fn, a function given
// nothing, returns on every path that succeeds: an accessor of a client
// made once, or of a default instance (Default(), or std() (*Store,
// error) that returns Default() or an error).
func singleton(fn *ssa.Function) *ssa.Global {
	return singletonIn(fn, 0)
}

func singletonIn(fn *ssa.Function, depth int) *ssa.Global {
	results := fn.Signature.Results()
	orError := results.Len() == 2 && isError(results.At(1).Type())
	if len(fn.Params) > 0 || results.Len() != 1 && !orError || depth > 2 {
		return nil
	}
	var g *ssa.Global
	for _, b := range fn.Blocks {
		ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
		if !ok || orError && !IsNil(ret.Results[1]) {
			continue
		}
		lg := loadedGlobal(ret.Results[0])
		if call, ok := ret.Results[0].(*ssa.Call); ok && lg == nil {
			if callee := call.Call.StaticCallee(); callee != nil {
				lg = singletonIn(callee, depth+1)
			}
		}
		if lg == nil || g != nil && lg != g {
			return nil
		}
		g = lg
	}
	return g
}

// loadedGlobal returns the package variable v is loaded from, directly
// or through the result variable that a function with a defer returns
// (t0 = local *Store; *t0 = *std; rundefers; return *t0), or nil.
func loadedGlobal(v ssa.Value) *ssa.Global {
	load, ok := v.(*ssa.UnOp)
	if !ok || load.Op != token.MUL {
		return nil
	}
	switch x := load.X.(type) {
	case *ssa.Global:
		return x
	case *ssa.Alloc:
		var g *ssa.Global
		for _, ref := range *x.Referrers() {
			st, ok := ref.(*ssa.Store)
			if !ok || st.Addr != x {
				continue
			}
			sg, ok := st.Val.(*ssa.UnOp)
			if !ok || sg.Op != token.MUL {
				return nil
			}
			lg, ok := sg.X.(*ssa.Global)
			if !ok || g != nil && lg != g {
				return nil
			}
			g = lg
		}
		return g
	}
	return nil
}

// contextValue reports whether v is a call that asks a context for a
// value, ctx.Value(tokenKey): of the same context with the same key, it
// gives the same value (the request's token, its tenant).
func contextValue(v ssa.Value) bool {
	call, ok := v.(*ssa.Call)
	return ok && call.Call.IsInvoke() && call.Call.Method.Name() == "Value" && IsContext(call.Call.Value.Type()) && len(call.Call.Args) == 1
}

// contextValueName names a context's Value in Terms and identities.
const contextValueName = "(context.Context).Value"

// zeroKey names a context key written as the zero value of its type,
// ctx.Value(tokenKey{}), by that type; "" for any other key.
func zeroKey(key ssa.Value) string {
	if mi, ok := key.(*ssa.MakeInterface); ok {
		key = mi.X
	}
	if c, ok := key.(*ssa.Const); ok && c.Value == nil && !c.IsNil() {
		return "(zero " + types.TypeString(c.Type(), nil) + ")"
	}
	return ""
}

// getter reports whether call reads a string or number that its
// receiver holds: s.store.NamespaceID(), cfg.Account(). Called twice on
// the same receiver, it gives the same value.
func getter(call *ssa.Call) bool {
	return Accessor(call) && basic(call.Call.Signature().Results().At(0).Type(), types.IsString|types.IsInteger)
}

// Accessor reports whether call is of a method given nothing but its
// receiver, with one result, whose name draws nothing new or of the
// moment: what the receiver holds, s.ns.Binding().
func Accessor(call *ssa.Call) bool {
	callee := call.Call.StaticCallee()
	if callee == nil || callee.Signature.Recv() == nil || len(call.Call.Args) != 1 || callee.Signature.Results().Len() != 1 || Fresh(call) {
		return false
	}
	name := strings.ToLower(callee.Name())
	return !strings.Contains(name, "now") && !strings.Contains(name, "time") && !strings.Contains(name, "clock") && !strings.Contains(name, "next")
}

// readsClock reports whether t reads the time now.
func readsClock(t *Term) bool {
	return t.Find(func(s *Term) bool { return s.Op == TermCall && s.Name == "time.Now" }) != nil
}

// port writes a storage port held in a field of holder by the holder
// alone: a service given a Getter and a Setter, both wired by main to one
// adapter, reads and writes one store through the two (see portHalf).
func (w *identityWriter) port(holder ssa.Value, depth int) {
	w.b.WriteString("(port ")
	w.value(holder, depth+1)
	w.b.WriteString(")")
}

// portHalf reports whether the field of holder holds a named interface
// that is one of several its struct holds, each of its own type, as a
// service given a Getter and a Setter is. Two fields of one type (a
// Primary and a Replica Store) are two stores.
func portHalf(holder types.Type, field int) bool {
	st, ok := derefStruct(holder)
	if !ok {
		return false
	}
	isPort := func(t types.Type) bool {
		_, named := types.Unalias(t).(*types.Named)
		return named && types.IsInterface(t)
	}
	t := st.Field(field).Type()
	if !isPort(t) {
		return false
	}
	others := false
	for i := range st.NumFields() {
		switch other := st.Field(i).Type(); {
		case i == field || !isPort(other):
		case types.Identical(other, t):
			return false
		default:
			others = true
		}
	}
	return others
}

// embeddedPort reports whether field name of the struct t, or that t
// points to, is an embedded interface: type Store struct{ ReadWriter }.
func embeddedPort(t types.Type, name string) bool {
	st, ok := derefStruct(t)
	if !ok {
		return false
	}
	i := fieldIndex(st, name)
	return i >= 0 && st.Field(i).Anonymous() && types.IsInterface(st.Field(i).Type())
}

// rootOf returns the struct that v is a field of, or of a field of, as
// loaded: s for s.client.ns.
func rootOf(v ssa.Value) ssa.Value {
	for {
		switch x := v.(type) {
		case *ssa.UnOp:
			if x.Op != token.MUL {
				return v
			}
			fa, ok := x.X.(*ssa.FieldAddr)
			if !ok {
				return v
			}
			v = fa.X
		case *ssa.FieldAddr:
			v = x.X
		case *ssa.Field:
			v = x.X
		default:
			return v
		}
	}
}

// record writes v, a struct whose field is read, as the variable it was
// loaded from when it was: m.St reads the field of variable m in place,
// and m passed by value to a method reads the same field of a copy. (A
// pointer loaded from a variable is rendered as the load, as elsewhere.)
func (w *identityWriter) record(v ssa.Value, depth int) {
	if load, ok := v.(*ssa.UnOp); ok && load.Op == token.MUL && isStruct(load.Type()) {
		switch x := load.X.(type) {
		case *ssa.Alloc:
			// A literal of basic fields, keys.Streak{PlayerID: id}
			// written at the get and again at the put, is one key.
			if !w.literal(x, depth) {
				w.value(x, depth)
			}
			return
		case *ssa.FreeVar: // (a closure's is its parent's variable)
			w.value(x, depth)
			return
		}
	}
	w.value(v, depth)
}

// literal writes the struct literal alloc holds, when its fields are
// basic and set once: the same fields make the same value, as its Term
// says (see compiler.literal). It reports whether it wrote it.
func (w *identityWriter) literal(alloc *ssa.Alloc, depth int) bool {
	name, fields, ok := structLiteral(alloc)
	if !ok {
		return false
	}
	w.b.WriteString("(" + name)
	for _, f := range fields {
		w.b.WriteString(" ")
		if f.zero != nil {
			w.term(f.zero, nil, depth+1)
		} else {
			w.value(f.value, depth+1)
		}
	}
	w.b.WriteString(")")
	return true
}

func isStruct(t types.Type) bool {
	_, ok := t.Underlying().(*types.Struct)
	return ok
}

func (w *identityWriter) call(call *ssa.Call, depth int) {
	w.b.WriteString("(" + CalleeName(call))
	w.args(call, depth)
	w.b.WriteString(")")
}

// args writes the arguments of call, each after a space.
func (w *identityWriter) args(call *ssa.Call, depth int) {
	for _, a := range w.model.partsOf(call) { // as a wrapper's Term has them
		w.b.WriteString(" ")
		w.value(a, depth+1)
	}
}

func (w *identityWriter) term(t *Term, args []ssa.Value, depth int) {
	switch t.Op {
	case TermOpaque:
		if !w.byInputs || len(t.Args) == 0 {
			w.ok = false
			return
		}
		// Named by the roots of what it depends on, as a wrapper of the
		// wrapper sees them too: a.kvService passed on is a's.
		w.b.WriteString("(opaque")
		for _, a := range t.Args {
			w.b.WriteString(" ")
			if a.Op == TermParam && a.Index < len(args) {
				w.value(rootOf(args[a.Index]), depth+1)
			} else {
				w.term(a, args, depth+1)
			}
		}
		w.b.WriteString(")")
	case TermParam:
		if t.Index < len(args) {
			w.value(args[t.Index], depth+1)
		} else {
			w.ok = false
		}
	case TermConst:
		if t.Kind == constant.Bool {
			w.b.WriteString(t.Value) // (no literal token to parse it with)
		} else if c := constant.MakeFromLiteral(t.Value, literalToken(t.Kind), 0); c.Kind() != constant.Unknown {
			w.b.WriteString(c.ExactString())
		} else {
			w.b.WriteString(t.Value)
		}
	case TermGlobal:
		w.b.WriteString(t.Name)
	case TermField:
		if e := t.Args[0]; e.Op == TermElems && len(e.Args) == 1 && e.Args[0].Op == TermParam && e.Args[0].Index < len(args) {
			w.elemsField(args[e.Args[0].Index], t.Name, depth)
			return
		}
		// A field of a record the caller builds here: Save(Tenant{Slug: slug}).
		if p := t.Args[0]; p.Op == TermParam && p.Index < len(args) {
			if held := w.model.heldIn(w.lift(args[p.Index]), t.Name, 0); held != nil {
				w.value(held, depth+1)
				return
			}
			if src, ok := w.model.builtField(w.lift(args[p.Index]), t.Name); ok && w.renders(src, depth+1) {
				w.source(src, depth+1) // set by a step of a builder chain: s.Write(key).TTL(d)
				return
			}
			if embeddedPort(args[p.Index].Type(), t.Name) {
				// The port a Store embeds is the Store, as its promoted
				// methods are.
				w.record(args[p.Index], depth+1)
				return
			}
			if src, ok := w.model.resultField(args[p.Index], t.Name); ok && w.renders(src, depth+1) {
				w.source(src, depth+1) // lic.ID of lic, err := r.Find(ctx, id): id; lic.st: r.st
				return
			}
			holder := args[p.Index].Type()
			if st, ok := derefStruct(holder); ok {
				if i := fieldIndex(st, t.Name); i >= 0 && portHalf(holder, i) {
					w.port(args[p.Index], depth)
					return
				}
			}
		}
		if a := t.Args[0]; a.Op == TermOpaque && len(a.Args) == 0 {
			// A field of something the wrapper holds, not known here (the
			// adapter a closure captured): a key prefix, the same at each
			// call through it. Whether two calls go through the same one
			// is their namespace's to say.
			fmt.Fprintf(w.b, "(.%s ?)", t.Name)
			return
		}
		fmt.Fprintf(w.b, "(.%s ", t.Name)
		if p := t.Args[0]; p.Op == TermParam && p.Index < len(args) {
			w.record(args[p.Index], depth+1)
		} else {
			w.term(t.Args[0], args, depth+1)
		}
		w.b.WriteString(")")
	case TermConvert:
		w.b.WriteString("(conv ")
		w.term(t.Args[0], args, depth+1)
		w.b.WriteString(")")
	case TermUnOp:
		fmt.Fprintf(w.b, "(%s ", t.Tok) // -time.Duration(h) * time.Hour
		w.term(t.Args[0], args, depth+1)
		w.b.WriteString(")")
	case TermBinOp:
		fmt.Fprintf(w.b, "(%s ", t.Tok)
		w.term(t.Args[0], args, depth+1)
		w.b.WriteString(" ")
		w.term(t.Args[1], args, depth+1)
		w.b.WriteString(")")
	case TermCall:
		if strings.HasPrefix(t.Name, keyMethodPrefix) {
			w.method(t, args, depth)
			return
		}
		if _, escape := escapeFuncs[t.Name]; escape && len(t.Args) == 1 {
			w.term(t.Args[0], args, depth+1) // the key unescaped, as above
			return
		}
		if t.Name == "time.Now" {
			// The time differs at each reading of the clock; what is made
			// of one reading does not.
			if t.Value == "" {
				w.ok = false
			}
			w.b.WriteString("(time.Now " + t.Value + ")")
			return
		}
		if t.Name == sliceLiteral {
			for i, a := range t.Args {
				if i > 0 {
					w.b.WriteString(" ")
				}
				w.term(a, args, depth+1)
			}
			return
		}
		w.b.WriteString("(" + t.Name)
		for _, a := range t.Args {
			w.b.WriteString(" ")
			w.term(a, args, depth+1)
		}
		w.b.WriteString(")")
	case TermPhi:
		if allEqual(t.Args) {
			// Every way gives the same value (a pair whose other fields
			// are set on some ways only): that value.
			w.term(t.Args[0], args, depth)
			return
		}
		// Phis of a wrapper do not name a key reliably enough. A namespace
		// chosen among values the wrapper derives from its inputs alone
		// (an ID cached or looked up for the account it is given) is the
		// same for the same inputs.
		var deps []*Term
		for _, a := range t.Args {
			deps = a.appendParams(deps)
		}
		for _, conds := range t.Conds {
			for _, cd := range conds {
				deps = cd.Term.appendParams(deps)
			}
		}
		// So is a key that a number helper of its inputs picks, among
		// constants and those inputs alone (Plan.Window() in a time
		// bucket): the same inputs, the same key.
		chosen := t.Find(func(s *Term) bool { return s.Op == TermOpaque || s.Op == TermCall && s.Name == "time.Now" }) == nil
		if !w.byInputs && !chosen || len(deps) == 0 {
			w.ok = false
			return
		}
		if !w.byInputs {
			// The choice's shape with its inputs numbered as listed after
			// it, not as the wrapper numbers its parameters: one choice
			// reached through two wrappers is one.
			canon := t.rewrite(func(s *Term) *Term {
				if s.Op != TermParam {
					return nil
				}
				return &Term{Op: TermParam, Index: slices.IndexFunc(deps, func(d *Term) bool { return d.Index == s.Index })}
			})
			w.b.WriteString("(choice " + canon.String())
			for _, d := range deps {
				w.b.WriteString(" ")
				w.term(d, args, depth+1)
			}
			w.b.WriteString(")")
			return
		}
		w.term(&Term{Op: TermOpaque, Args: deps}, args, depth)
	default:
		w.ok = false
	}
}

// allEqual reports whether terms are one or more, all equal.
func allEqual(terms []*Term) bool {
	for _, t := range terms {
		if t.String() != terms[0].String() {
			return false
		}
	}
	return len(terms) > 0
}

// method writes a record's own key, rec.Key() called through a type
// parameter or an interface, as the concrete method that the caller's
// argument has computes it: Tenant.Key returning t.Slug. Where the type
// is not known here, or the method not a function of its arguments, the
// key is not known.
func (w *identityWriter) method(t *Term, args []ssa.Value, depth int) {
	recv := t.Args[0]
	if recv.Op != TermParam && t.Value != "" {
		// The method of the concrete type the wrapper was given (see
		// typeMethods), as a call of it is written below.
		w.b.WriteString("(" + t.Value + " ")
		w.term(recv, args, depth+1)
		w.b.WriteString(")")
		return
	}
	if recv.Op != TermParam || recv.Index >= len(args) {
		w.ok = false
		return
	}
	arg := args[recv.Index]
	for {
		mi, ok := arg.(*ssa.MakeInterface)
		if !ok {
			break
		}
		arg = mi.X
	}
	if types.IsInterface(arg.Type()) {
		// A key given as a fmt.Stringer: the same value gives the same
		// key each time it is asked.
		w.b.WriteString("(" + t.Name + " ")
		w.value(arg, depth+1)
		w.b.WriteString(")")
		return
	}
	fn := w.model.concreteMethod(strings.TrimPrefix(t.Name, keyMethodPrefix), arg)
	if fn == nil {
		w.ok = false // not the receiver the method is asked of
		return
	}
	ret := w.model.returnTerm(fn)
	if ret == nil {
		// A method of another package, or one not followed (a join of
		// parts): a key's String() or a record's Key() gives the same
		// key for the same value, as a function named for keys does.
		w.b.WriteString("(" + fn.String() + " ")
		w.record(arg, depth+1)
		w.b.WriteString(")")
		return
	}
	w.term(ret, []ssa.Value{arg}, depth+1)
}

// concreteMethod returns the method name of arg's concrete type, or nil.
func (r *Result) concreteMethod(name string, arg ssa.Value) *ssa.Function {
	prog := r.pkg.Prog
	sel := prog.MethodSets.MethodSet(arg.Type()).Lookup(r.pkg.Pkg, name)
	if sel == nil {
		return nil // (LookupMethod would panic)
	}
	return prog.MethodValue(sel)
}

// resultField returns what field name of v holds, when v is a result of
// a function of this package beside an error and that function sets the
// field to one value it is given or reads from what it is given: lic.ID
// of lic, err := r.Find(ctx, id) is id, and lic.st is r.st.
func (r *Result) resultField(v ssa.Value, name string) (Source, bool) {
	v = r.captured(v)
	if _, ok := v.(*ssa.Extract); !ok {
		return Source{}, false
	}
	if st, ok := derefStruct(v.Type()); !ok || fieldIndex(st, name) < 0 {
		return Source{}, false
	}
	if call, ok := v.(*ssa.Extract).Tuple.(*ssa.Call); ok && v.(*ssa.Extract).Index == 0 {
		if t, ok := r.importedResultField(call, name); ok {
			return Source{Term: t, Args: call.Call.Args}, true
		}
	}
	srcs := r.fieldSources(v, name, 0)
	if len(srcs) != 1 || srcs[0].Value == nil {
		return Source{}, false
	}
	src := srcs[0]
	if src.madeBy != nil {
		t := r.madeTerm(src)
		if t == nil {
			return Source{}, false
		}
		return Source{Term: t, Args: src.madeBy.Call.Args}, true
	}
	if inst, ok := src.Value.(ssa.Instruction); ok && inst.Parent() != v.Parent() {
		return Source{}, false
	}
	return src, true
}

// captured returns, for a closure's captured variable assigned once, what
// its parent assigned (the record a retry closure saves); v otherwise.
func (r *Result) captured(v ssa.Value) ssa.Value {
	switch x := v.(type) {
	case *ssa.FreeVar:
		if bound := Binding(x); bound != nil {
			if _, variable := bound.(*ssa.Alloc); !variable {
				return bound // captured by value
			}
		}
	case *ssa.UnOp:
		if fv, ok := x.X.(*ssa.FreeVar); ok && x.Op == token.MUL {
			if vals := r.storedInto(fv); len(vals) == 1 {
				return vals[0]
			}
		}
	}
	return v
}

// methodTexts returns the text of the String methods that t asks of a
// value of a concrete type its arguments box: a key type given as a
// fmt.Stringer, keys.APIKeyKey{Hash: h} as "auth:apikey:". (A record's
// own Key(), which a repository asks, is matched by the record; see
// recordGets.)
func (r *Result) methodTexts(t *Term, args []ssa.Value, kept bool) []string {
	var parts []string
	t.Find(func(s *Term) bool {
		if s.Name != keyMethodPrefix+"String" {
			return false
		}
		fn := r.askedMethod(s, args)
		switch {
		case fn == nil:
		case fn.Pkg != r.pkg && fn.Object() != nil:
			parts = append(parts, r.keyText(fn.Object().(*types.Func))...)
		case r.returnTerm(fn) != nil:
			parts = append(parts, r.termStrings(r.returnTerm(fn), kept)...)
		}
		return false
	})
	return parts
}

// askedMethod returns the method that s, a method asked of a parameter
// ((method) String $1), is for the value of a concrete type that args
// gives there: (keys.Key).String for keys.Key(k) given as a
// fmt.Stringer. Nil for another Term, or a value of an interface type.
func (r *Result) askedMethod(s *Term, args []ssa.Value) *ssa.Function {
	name, ok := strings.CutPrefix(s.Name, keyMethodPrefix)
	if s.Op != TermCall || !ok || len(s.Args) == 0 || s.Args[0].Op != TermParam || s.Args[0].Index >= len(args) {
		return nil
	}
	arg := args[s.Args[0].Index]
	for mi, ok := arg.(*ssa.MakeInterface); ok; mi, ok = arg.(*ssa.MakeInterface) {
		arg = mi.X
	}
	if types.IsInterface(arg.Type()) {
		return nil
	}
	return r.concreteMethod(name, arg)
}

// heldIn returns the value that field name of v holds when v is a struct
// built by a composite literal, here (&Tenant{Slug: slug}) or in a
// function of this package that returns it (DefaultWeek(id)), and the
// field is stored once; nil otherwise. Unlike fieldSources, it does not
// follow a parameter out to its callers: an identity names values of one
// function.
func (r *Result) heldIn(v ssa.Value, name string, depth int) ssa.Value {
	if depth > maxDepth {
		return nil
	}
	switch x := v.(type) {
	case *ssa.MakeInterface:
		return r.heldIn(x.X, name, depth+1)
	case *ssa.UnOp:
		if x.Op == token.MUL {
			if alloc, ok := x.X.(*ssa.Alloc); ok {
				if set := heldPointer(x); set != nil {
					return r.heldIn(set, name, depth+1)
				}
				return r.heldIn(alloc, name, depth+1)
			}
		}
	case *ssa.IndexAddr:
		// An element of a slice literal, []Item{{Name: name}}.
		if stored := r.storedInto(x); len(stored) == 1 {
			return r.heldIn(stored[0], name, depth+1)
		}
	case *ssa.Alloc:
		var held ssa.Value
		for _, ref := range *x.Referrers() {
			addr, ok := ref.(*ssa.FieldAddr)
			if !ok || fieldName(x.Type(), addr.Field) != name {
				continue
			}
			stored := r.storedInto(addr)
			if len(stored) != 1 || held != nil {
				return nil
			}
			held = stored[0]
		}
		return held
	case *ssa.Call:
		rets := r.returned(x)
		if len(rets) != 1 {
			return nil
		}
		held := r.heldIn(rets[0], name, depth+1)
		if p, ok := held.(*ssa.Parameter); ok {
			// A constructor's parameter: what this call passes.
			if i := slices.Index(p.Parent().Params, p); i >= 0 && i < len(x.Call.Args) {
				return x.Call.Args[i]
			}
			return nil
		}
		if c, ok := held.(*ssa.Const); ok {
			return c
		}
		return nil // computed inside the constructor: not this caller's value
	}
	return nil
}

// heldPointer returns, for a load of a variable that holds a pointer and
// is set once (a closure captures it), what it is set to; nil otherwise.
func heldPointer(load *ssa.UnOp) ssa.Value {
	alloc, ok := makersVar(load.X).(*ssa.Alloc) // on the closure's side too
	if !ok || load.Op != token.MUL {
		return nil
	}
	if _, ptr := deref(alloc.Type()).Underlying().(*types.Pointer); !ptr {
		return nil
	}
	return setOnce(alloc)
}

// makersVar returns the variable that addr is, followed out of the
// closures that capture it to the function that made them; nil for a
// closure not made in its parent.
func makersVar(addr ssa.Value) ssa.Value {
	for fv, ok := addr.(*ssa.FreeVar); ok; fv, ok = addr.(*ssa.FreeVar) {
		if addr = Binding(fv); addr == nil {
			return nil
		}
	}
	return addr
}

// onlyArg returns what the one call of p's function passes for p, when
// that function is unexported, called once in this package and never
// taken as a value (a method value, or through an interface); nil
// otherwise.
func (r *Result) onlyArg(p *ssa.Parameter) ssa.Value {
	fn := p.Parent()
	obj := fn.Object()
	if fn.Parent() != nil || obj == nil || obj.Exported() || r.taken[obj] {
		return nil
	}
	sites := r.CallSites(fn)
	if len(sites) != 1 || sites[0].Parent() == fn || sites[0].Common().IsInvoke() {
		return nil
	}
	i := slices.Index(fn.Params, p)
	if args := sites[0].Common().Args; i >= 0 && i < len(args) {
		return args[i]
	}
	return nil
}

// takenFuncs returns the package's functions that are used as values
// (func values, method values) or may be called through one of the
// package's interfaces: their static calls are not all their calls.
func takenFuncs(pass *analysis.Pass, funcs []*ssa.Function) map[types.Object]bool {
	taken := make(map[types.Object]bool)
	var ops []*ssa.Value
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				var callee ssa.Value
				if call, ok := instr.(ssa.CallInstruction); ok && !call.Common().IsInvoke() {
					callee = call.Common().Value
				}
				for _, op := range instr.Operands(ops[:0]) {
					if f, ok := (*op).(*ssa.Function); ok && *op != callee && f.Object() != nil {
						taken[f.Object()] = true
					}
				}
			}
		}
	}
	scope := pass.Pkg.Scope()
	for _, name := range scope.Names() {
		iface, ok := scope.Lookup(name).Type().Underlying().(*types.Interface)
		if !ok {
			continue
		}
		for i := range iface.NumMethods() {
			for _, fn := range funcs {
				if obj := fn.Object(); obj != nil && fn.Signature.Recv() != nil && obj.Name() == iface.Method(i).Name() {
					taken[obj] = true
				}
			}
		}
	}
	return taken
}

// binding returns the value that the closure's free variable fv captures.
func (r *Result) binding(fv *ssa.FreeVar) ssa.Value { return Binding(fv) }

// Binding returns what the closure's maker binds to fv: the captured
// variable's address, or its value when the closure never sets it; nil
// for a closure not made in its parent.
func Binding(fv *ssa.FreeVar) ssa.Value {
	fn := fv.Parent()
	parent := fn.Parent()
	idx := slices.Index(fn.FreeVars, fv)
	if parent == nil || idx < 0 {
		return nil
	}
	for _, b := range parent.Blocks {
		for _, instr := range b.Instrs {
			if mc, ok := instr.(*ssa.MakeClosure); ok && mc.Fn == fn && idx < len(mc.Bindings) {
				return mc.Bindings[idx]
			}
		}
	}
	return nil
}

// opensNamespace reports whether call opens a Workers KV binding by name:
// two calls with the same name open the same namespace.
func opensNamespace(call *ssa.Call) bool {
	callee := call.Call.StaticCallee()
	if callee == nil || callee.Object() == nil {
		return false
	}
	fn := callee.Object().(*types.Func)
	return fn.Pkg() != nil && (fn.Pkg().Path() == syumaiKV && fn.Name() == "NewNamespace" ||
		fn.Pkg().Path() == syumaiOld && fn.Name() == "NewKVNamespace")
}

// routesStore reports whether call asks a router of another value for a
// store, given only a context and strings or integers:
// r.ForRegion(ctx, c.Region) returning a kvstore.Store (and maybe an
// error). A router hands out the same store for the same arguments, so
// two calls with equal arguments reach one namespace.
func routesStore(call *ssa.Call) bool {
	callee := call.Call.StaticCallee()
	if callee == nil || callee.Signature.Recv() == nil || callee.Pkg == nil || IsSDKPackage(callee.Pkg.Pkg.Path()) {
		return false
	}
	sig := callee.Signature
	res := sig.Results()
	if res.Len() == 0 || res.Len() > 2 || res.Len() == 2 && !isError(res.At(1).Type()) {
		return false
	}
	switch t := types.Unalias(res.At(0).Type()).(type) {
	case *types.Named:
		if !types.IsInterface(t) {
			return false
		}
	case *types.Pointer:
		if _, ok := types.Unalias(t.Elem()).(*types.Named); !ok || !isStruct(t.Elem()) {
			return false
		}
	default:
		return false
	}
	given := 0
	for p := range sig.Params().Variables() {
		if IsContext(p.Type()) {
			continue
		}
		if !basic(p.Type(), types.IsString|types.IsInteger) {
			return false
		}
		given++
	}
	return given > 0
}

// pureCall reports whether call computes its result from its arguments
// alone, so that equal arguments give an equal key: a known function of
// the standard library, or a key helper.
func pureCall(call *ssa.Call) bool {
	if b, ok := call.Call.Value.(*ssa.Builtin); ok {
		return pureFuncs[b.Name()]
	}
	callee := call.Call.StaticCallee()
	if callee == nil || callee.Object() == nil {
		return false
	}
	fn := callee.Object().(*types.Func)
	return pureFuncs[fn.FullName()] || KeyHelper(fn)
}

// KeyHelper reports whether fn looks like a helper that builds a key from
// its arguments, as func rateKey(ip string) string and func flagsKey()
// string do, or a key-builder type, keys.New(ns, id).String(): it takes
// and returns only strings, numbers and plain values made of them, and
// nothing in its name or package says it draws something new or of the
// moment. (A key that includes the current minute is still one key for
// the get and the put a moment later.)
func KeyHelper(fn *types.Func) bool {
	sig := fn.Signature()
	if fn.Pkg() == nil || impurePkgs[fn.Pkg().Path()] {
		return false
	}
	switch {
	case sig.Results().Len() == 1:
	case sig.Results().Len() == 2 && isError(sig.Results().At(1).Type()):
		// A key type's door.MarshalText() or k.Key() that can fail: a
		// method of a plain value, or a function named for what it makes.
		// (A plain func fetch(url) ([]byte, error) is no key.)
		if sig.Recv() == nil && !keyMakerName().MatchString(fn.Name()) {
			return false
		}
	default:
		return false
	}
	result := sig.Results().At(0).Type()
	name := fn.Name()
	if !basic(result, types.IsString|types.IsInteger) {
		name = strings.TrimPrefix(name, "New") // newID() draws an ID, where keys.New(ns, id) builds a key
	}
	if !plainValue(result, 0) || drawsByName(name, sig.Params().Len()) {
		return false
	}
	if sig.Params().Len() == 0 && sig.Recv() == nil && impureWithoutArgs().MatchString(fn.Name()) {
		return false // requestID(), now(): a value of the moment, not a fixed key
	}
	if basic(result, types.IsString) && (namedForKey().MatchString(fn.Name()) || namedForKey().MatchString(fn.Pkg().Name())) {
		// keyOf(v any) string, reading a struct tag by reflection,
		// kvkey.Of(v) or (*Lobby).Key(): named for the key it builds
		// from what it is given, whatever the types.
		return true
	}
	if recv := sig.Recv(); recv != nil && !plainValue(recv.Type(), 0) {
		return false
	}
	for i := range sig.Params().Len() {
		v := sig.Params().At(i)
		// A tuple's elems ...any: the elements are the key's parts, of
		// whatever type (sub.Pack("run", day)).
		elems := sig.Variadic() && i == sig.Params().Len()-1 && emptyInterfaceSlice(v.Type())
		if !plainValue(v.Type(), 0) && !elems {
			return false
		}
	}
	return true
}

// emptyInterfaceSlice reports whether t is []any.
func emptyInterfaceSlice(t types.Type) bool {
	s, ok := t.Underlying().(*types.Slice)
	if !ok {
		return false
	}
	i, ok := s.Elem().Underlying().(*types.Interface)
	return ok && i.Empty()
}

var namedForKey = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)key`) })

// plainValue reports whether a value of t is made of strings and integers
// alone, with no pointer, map, channel or function in it: a key-builder
// type such as keys.Key{parts []string}, whose constructor keys.New(ns,
// id) and method String() compute a key from what they are given.
func plainValue(t types.Type, depth int) bool {
	if depth > 3 {
		return false
	}
	if named, ok := types.Unalias(t).(*types.Named); ok && named.Obj().Pkg() != nil &&
		named.Obj().Pkg().Path() == "time" && named.Obj().Name() == "Time" {
		return true // a day in a key: a value, though it holds a *Location
	}
	switch u := t.Underlying().(type) {
	case *types.Basic:
		return u.Info()&(types.IsString|types.IsInteger) != 0
	case *types.Slice:
		return plainValue(u.Elem(), depth+1)
	case *types.Struct:
		for f := range u.Fields() {
			if !plainValue(f.Type(), depth+1) {
				return false
			}
		}
		return u.NumFields() > 0
	}
	return false
}

func basic(t types.Type, info types.BasicInfo) bool {
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Info()&info != 0
}

var impurePkgs = map[string]bool{"math/rand": true, "math/rand/v2": true, "crypto/rand": true, "os": true, "time": true}

var impureWithoutArgs = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)now|time|stamp|date|day|hour|minute|week|month|year|host|env|id$`)
})

var keyMakerName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)key|marshal|encode|format`) })

// isError reports whether t is the error interface.
func isError(t types.Type) bool {
	return types.Identical(t, types.Universe.Lookup("error").Type())
}

var impureName = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)rand|uuid|nonce|token|secret|salt|^new|^gen|generate|unique`)
})

// KeyText returns the constant text in a key: the literal parts of
// "rate:" + ip or fmt.Sprintf("views:%s", slug), for matching the key's
// purpose against a name pattern.
func (r *Result) KeyText(src Source) string {
	return strings.Join(r.keyParts(src, false), " ")
}

// KeyMinLen is a lower bound on the length of the key src gives: the
// constant text that it keeps whole, by concatenation, formatting, key
// builders and escaping. A hash of it (keys.Digest(url)) adds nothing.
func (r *Result) KeyMinLen(src Source) int {
	n := 0
	for _, p := range r.keyParts(src, true) {
		n += len(p)
	}
	return n
}

// keyParts returns the string constants that the key src gives is made
// of; with kept, only those that the key holds whole.
func (r *Result) keyParts(src Source, kept bool) []string {
	if src.Term == nil {
		return r.stringConstants(src.Value, kept)
	}
	parts := r.termStrings(src.Term, kept)
	for _, a := range src.Inputs() {
		parts = append(parts, r.stringConstants(a, kept)...)
	}
	return append(parts, r.methodTexts(src.Term, src.Args, kept)...)
}

// elementOf returns the slice that v is an element of: *&s[i], or a
// variable set once to one, or the address of one; nil otherwise.
func (r *Result) elementOf(v ssa.Value) ssa.Value {
	if alloc, ok := v.(*ssa.Alloc); ok {
		stored := r.storedInto(alloc)
		if len(stored) != 1 {
			return nil
		}
		v = stored[0]
	}
	if load, ok := v.(*ssa.UnOp); ok && load.Op == token.MUL {
		v = load.X
	}
	if ia, ok := v.(*ssa.IndexAddr); ok {
		if _, isSlice := ia.X.Type().Underlying().(*types.Slice); isSlice {
			return ia.X
		}
	}
	return nil
}

// hashing names the functions whose result does not hold their
// arguments: a digest, a checksum, an encoding of one.
var hashing = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)hash|digest|sum|sha|md5|hmac|fingerprint|crc|^(crypto|hash|encoding)/`)
})

// keeps reports whether the function named name (a Term's or a callee's
// full name) returns its string arguments whole, as key builders do
// (kvkey.Meta.Child("featured", filter)), rather than a digest of them
// (keys.Digest(url)).
func keeps(name string) bool {
	return name != "" && !hashing().MatchString(name)
}

// termStrings returns the string constants in t; with kept, only those
// that t holds whole.
func (r *Result) termStrings(t *Term, kept bool) []string {
	var parts []string
	var walk func(t *Term, depth int)
	walk = func(t *Term, depth int) {
		if t.Op == TermConst && t.Kind == constant.String {
			if c := constant.MakeFromLiteral(t.Value, token.STRING, 0); c.Kind() == constant.String {
				parts = append(parts, constant.StringVal(c))
			}
		}
		if t.Op == TermCall {
			parts = append(parts, r.keyTextNamed(t.Name)...) // keys.Referral(code), in a wrapper's Term
		}
		if kept && (t.Op == TermCall && !keeps(t.Name) || t.Op == TermPhi) {
			return // a phi is one of its arguments, not all
		}
		for _, a := range t.Args {
			if depth < maxDepth {
				walk(a, depth+1)
			}
		}
	}
	walk(t, 0)
	return parts
}

// keptArgs returns the arguments of a call of the function named name
// whose text its result keeps: strings.TrimPrefix(name, idx) keeps name's
// and drops idx's.
func keptArgs[T any](name string, args []T) []T {
	if strings.HasPrefix(name, "strings.Trim") && len(args) > 0 {
		return args[:1]
	}
	return args
}

// stringConstants returns the string constants that v is built from by
// concatenation and formatting: the "rate:" of "rate:" + ip. It does not
// look into other calls, whose arguments name other things (a binding).
// With kept, it returns only those that v holds whole.
func (r *Result) stringConstants(v ssa.Value, kept bool) []string {
	var parts []string
	var walk func(v ssa.Value, depth int)
	// elemField walks field name of each element of the slice that x is
	// an element of, as it was set where the element was built.
	elemField := func(x ssa.Value, name string, depth int) {
		if slice := r.elementOf(x); slice != nil {
			for _, elem := range r.elements(slice, 0) {
				if held := r.heldIn(elem, name, 0); held != nil {
					walk(held, depth+1)
				}
			}
		}
	}
	// A value walked before at the same depth or nearer the key adds
	// nothing; without this, slices whose elements come from each other
	// (commands moved between undo and redo stacks) are walked once per
	// path between them, exponentially.
	walkedAt := map[ssa.Value]int{}
	walk = func(v ssa.Value, depth int) {
		if depth > maxDepth {
			return
		}
		if at, ok := walkedAt[v]; ok && at <= depth {
			return
		}
		walkedAt[v] = depth
		switch v := v.(type) {
		case *ssa.Const:
			if v.Value != nil && v.Value.Kind() == constant.String {
				parts = append(parts, constant.StringVal(v.Value))
			}
		case *ssa.BinOp:
			walk(v.X, depth+1)
			walk(v.Y, depth+1)
		case *ssa.Phi:
			if kept {
				return // one of its edges, not all
			}
			for _, e := range v.Edges {
				walk(e, depth+1)
			}
		case *ssa.Convert:
			walk(v.X, depth+1)
		case *ssa.ChangeType:
			walk(v.X, depth+1)
		case *ssa.MakeInterface:
			walk(v.X, depth+1)
		case *ssa.FreeVar:
			if b := r.binding(v); b != nil {
				walk(b, depth+1)
			}
		case *ssa.Function:
			// A method expression given as the key function of a helper
			// (revokeKeys(ns, keys, Keys.Session, ids)): its text.
			if f := thunkOf(v); f != nil && !kept {
				parts = append(parts, r.funcKeyText(f)...)
			}
		case *ssa.Extract:
			// A key a helper of this package returns beside other
			// results: _, key, err := h.session(r), which returns
			// sessionKey(op, id) or "" with its error.
			var named []ssa.Value
			for _, ret := range r.returned(v) {
				if c, ok := ret.(*ssa.Const); !ok || c.Value != nil && (c.Value.Kind() != constant.String || constant.StringVal(c.Value) != "") {
					named = append(named, ret)
				}
			}
			if len(named) == 1 || !kept {
				for _, ret := range named {
					walk(ret, depth+1)
				}
			}
		case *ssa.UnOp:
			// A variable that closures share, set once: key := "rl:" + ip,
			// seen from the function that declares it or from a closure.
			addr := v.X
			if fv, ok := addr.(*ssa.FreeVar); ok {
				if b := Binding(fv); b != nil {
					addr = b
				}
			}
			if _, isAlloc := addr.(*ssa.Alloc); isAlloc && v.Op == token.MUL {
				if stored := r.storedInto(addr); len(stored) == 1 {
					walk(stored[0], depth+1)
				}
			}
			// An element of a slice of keys built here, ranged over: k of
			// for _, k := range keys, each appended as "sess:" + id.
			if slice := r.elementOf(v); slice != nil && !kept {
				for _, elem := range r.elements(slice, 0) {
					walk(elem, depth+1)
				}
			}
			// The same for a field of an element, kept in a variable: e.Key
			// of e whose address is taken; and a field of a struct built
			// here, as its literal set it: w.key of w := write{"hits", n}.
			if fa, ok := v.X.(*ssa.FieldAddr); ok && v.Op == token.MUL {
				if set := fieldSetOnce(fa.X, fa.Field); set != nil {
					walk(set, depth+1)
				} else if !kept {
					elemField(fa.X, fieldName(fa.X.Type(), fa.Field), depth)
				}
			}
			// A package variable that only the initializer sets: var
			// sessKey = kvstore.Key("sess"), a root of typed keys.
			if g, isGlobal := v.X.(*ssa.Global); isGlobal && v.Op == token.MUL {
				if init := r.initialValue(g); init != nil {
					walk(init, depth+1)
				}
			}
		case *ssa.Field:
			// A field of an element of a slice built here, ranged over:
			// e.Key of for _, e := range entries, each a literal appended
			// with Key: "hits:" + name.
			if !kept {
				elemField(v.X, fieldName(v.X.Type(), v.Field), depth)
			}
		case *ssa.Call:
			if b, ok := v.Call.Value.(*ssa.Builtin); ok && b.Name() == "append" && !kept {
				// A slice of keys built up: keys = append(keys, keys.Session(id)).
				for _, a := range v.Call.Args {
					if s, ok := a.(*ssa.Slice); ok {
						for _, elem := range r.elements(s, 0) {
							walk(elem, depth+1)
						}
						continue
					}
					walk(a, depth+1)
				}
				return
			}
			if written, ok := r.builderWrites(v); ok {
				// b.String() of a strings.Builder: what was written to it.
				for _, w := range written {
					if c, isConst := w.(*ssa.Const); isConst && c.Value != nil && c.Value.Kind() == constant.Int {
						parts = append(parts, runeText(c.Value)) // b.WriteByte('/')
						continue
					}
					walk(w, depth+1)
				}
				return
			}
			if callee := v.Call.StaticCallee(); callee != nil {
				if ret := r.returnTerm(callee); ret != nil {
					parts = append(parts, r.termStrings(ret, kept)...) // "cart:" in cartKey(id)
					parts = append(parts, r.chosenStrings(ret, v.Call.Args)...)
				} else if obj, ok := callee.Object().(*types.Func); ok && callee.Pkg != r.pkg {
					parts = append(parts, r.keyText(obj)...) // "views:%s:%s" in keys.Views(writer, post)
				} else if callee.Pkg == r.pkg {
					// A helper whose key Terms cannot express whole, one
					// part a digest: "login-attempts/" of
					// fmt.Sprintf("login-attempts/%x", sha256.Sum256(b)).
					if ret := soleReturn(callee); ret != nil && len(ret.Results) > 0 {
						walk(ret.Results[0], depth+1)
					} else if !kept {
						// One key or another by a parameter: "rt:" + hash
						// for a refresh token, "tok:" + hash for the rest.
						for _, ret := range Returns(callee) {
							if len(ret.Results) > 0 {
								walk(ret.Results[0], depth+1)
							}
						}
					}
				}
			}
			if !kept {
				// One of the key functions of a table (keyOf(k, id) of
				// for _, keyOf := range signOutKeys): the text of each.
				for _, fn := range r.tableFuncs(v.Call.Value) {
					parts = append(parts, r.funcKeyText(fn)...)
				}
			}
			if kept && !keeps(CalleeName(v)) {
				return
			}
			if fn := keyFuncField(v); fn != nil {
				// The constant text its maker was given, and the parts it
				// is given: "email:" and id in emailAt(id).
				if made := r.keyFuncMaker(fn); made != nil {
					for _, a := range made.Call.Args {
						walk(a, depth+1)
					}
				}
				for _, a := range v.Call.Args {
					walk(a, depth+1)
				}
			}
			if pureCall(v) {
				for _, a := range keptArgs(CalleeName(v), v.Call.Args) {
					if s, ok := a.(*ssa.Slice); ok {
						for _, elem := range r.elements(s, 0) {
							walk(elem, depth+1)
						}
						continue
					}
					walk(a, depth+1)
				}
			}
		}
	}
	walk(v, 0)
	return parts
}

// funcKeyText returns the constant text of the key that fn, a function
// that builds one, returns: of its Term, or of its package's syntax.
func (r *Result) funcKeyText(fn *ssa.Function) []string {
	if ret := r.returnTerm(fn); ret != nil {
		return r.termStrings(ret, false)
	}
	if obj, ok := fn.Object().(*types.Func); ok && fn.Pkg != r.pkg {
		return r.keyText(obj)
	}
	return nil
}

// builderWrites returns what is written, in order, to the local
// strings.Builder or bytes.Buffer whose String method call is: the
// arguments of its Write methods and of fmt.Fprintf calls given it.
func (r *Result) builderWrites(call *ssa.Call) ([]ssa.Value, bool) {
	callee := call.Call.StaticCallee()
	if callee == nil || callee.Name() != "String" || len(call.Call.Args) != 1 || !textBuffer(call.Call.Args[0].Type()) {
		return nil, false
	}
	buf, ok := call.Call.Args[0].(*ssa.Alloc)
	if !ok {
		return nil, false
	}
	var written []ssa.Value
	for _, b := range buf.Parent().Blocks {
		for _, instr := range b.Instrs {
			c, ok := instr.(*ssa.Call)
			if !ok {
				continue
			}
			args := c.Call.Args
			switch name := CalleeName(c); {
			case name == "fmt.Fprintf" && len(args) == 3 && boxed(args[0]) == buf:
				written = append(written, args[1])
				if s, ok := args[2].(*ssa.Slice); ok {
					written = append(written, r.elements(s, 0)...)
				}
			case strings.HasPrefix(path.Ext(name), ".Write") && len(args) == 2 && args[0] == buf:
				written = append(written, args[1])
			}
		}
	}
	return written, true
}

// boxed returns what the interface value v was made from.
func boxed(v ssa.Value) ssa.Value {
	if mi, ok := v.(*ssa.MakeInterface); ok {
		return mi.X
	}
	return v
}

// textBuffer reports whether t is *strings.Builder or *bytes.Buffer.
func textBuffer(t types.Type) bool {
	ptr, ok := t.(*types.Pointer)
	if !ok {
		return false
	}
	named, ok := ptr.Elem().(*types.Named)
	if !ok || named.Obj().Pkg() == nil {
		return false
	}
	switch named.Obj().Pkg().Path() + "." + named.Obj().Name() {
	case "strings.Builder", "bytes.Buffer":
		return true
	}
	return false
}

// runeText is the text of a byte or rune constant, '/' as "/".
func runeText(c constant.Value) string {
	n, ok := constant.Int64Val(c)
	if !ok {
		return ""
	}
	return string(rune(n))
}

// initialValue returns what the package initializer stores in g, when
// that is its only store.
func (r *Result) initialValue(g *ssa.Global) ssa.Value {
	var init ssa.Value
	for _, user := range r.users(g) {
		if load, isLoad := user.(*ssa.UnOp); isLoad && load.Op == token.MUL {
			continue
		}
		store, ok := user.(*ssa.Store)
		if !ok || store.Addr != g || store.Parent().Name() != "init" || store.Parent().Parent() != nil || init != nil {
			return nil // set at run time, or its address taken
		}
		init = store.Val
	}
	return init
}

// Words splits text into words at anything but letters and digits, and at
// the humps of camel case: "sessionKey:v2" is session, Key, v2. A key
// escaped for a URL path is read unescaped: "flags%2Flast" is flags, last.
func Words(text string) []string {
	if strings.Contains(text, "%") {
		if u, err := url.PathUnescape(text); err == nil {
			text = u
		}
	}
	var out []string
	for _, field := range strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		start := 0
		runes := []rune(field)
		offset := 0
		for i, r := range runes {
			// fooBar, and the last capital of an acronym before a word:
			// OTPChallenge, APIKey.
			lowerBefore := i > 0 && unicode.IsLower(runes[i-1])
			acronymEnd := i > 0 && unicode.IsUpper(runes[i-1]) && i+1 < len(runes) && unicode.IsLower(runes[i+1])
			if unicode.IsUpper(r) && (lowerBefore || acronymEnd) && offset > start {
				out = append(out, field[start:offset])
				start = offset
			}
			offset += len(string(r))
		}
		out = append(out, field[start:])
	}
	return out
}

// Fresh reports whether call draws something new: randomness, a unique
// ID, a token.
func Fresh(call *ssa.Call) bool {
	callee := call.Call.StaticCallee()
	if callee == nil {
		// A package variable that tests replace: var newToken =
		// tokens.Secret, by its name.
		if load, ok := call.Call.Value.(*ssa.UnOp); ok && load.Op == token.MUL {
			if g, ok := load.X.(*ssa.Global); ok {
				return drawsByName(g.Name(), len(call.Call.Args))
			}
		}
		return false
	}
	if callee.Pkg != nil && impurePkgs[callee.Pkg.Pkg.Path()] && callee.Pkg.Pkg.Path() != "time" && callee.Pkg.Pkg.Path() != "os" {
		return true
	}
	if callee.Signature.Params().Len() > 0 && streamConstructor(callee.Signature) {
		return false // json.NewDecoder(r.Body): what it reads is the request's
	}
	return drawsByName(callee.Name(), callee.Signature.Params().Len())
}

// streamConstructor reports whether sig makes a reader, writer, decoder
// or encoder over its first parameter, an io.Reader or io.Writer: a new
// object each call, over content that is not drawn.
func streamConstructor(sig *types.Signature) bool {
	t := sig.Params().At(0).Type()
	return types.TypeString(t, nil) == "io.Reader" || types.TypeString(t, nil) == "io.Writer"
}

// drawsByName reports whether a function's name says it draws something
// new (newToken, randomID), unless it names a key built from what it is
// given: tokenKey(tok) is "optin:" + tok.
func drawsByName(name string, params int) bool {
	if !impureName().MatchString(name) {
		return false
	}
	words := Words(name)
	return params == 0 || len(words) < 2 || !keyWord().MatchString(words[len(words)-1]) || slices.ContainsFunc(words, drawingWord().MatchString)
}

var keyWord = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)^(key|keys|prefix|path)$`) })

// drawingWord words say a key is drawn, not named: randomKey, newKey.
var drawingWord = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)^(rand\w*|new|gen|generated?|unique|fresh|uuid)$`)
})
