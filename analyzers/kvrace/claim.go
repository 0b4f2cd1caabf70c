package kvrace

// Check-then-create: a get whose only use is to refuse when the key is
// already there, then a put of this request's own value to that key:
//
//	if _, err := store.Get(ctx, "slug:"+slug); err == nil {
//		return ErrTaken
//	}
//	return store.Set(ctx, "slug:"+slug, mine)
//
// Two requests both see the key free and both write; the last write wins,
// and the first believes it owns a name it lost. A read-through cache
// differs in what the get is for: its value is used, so it is no claim.

import (
	"go/constant"
	"go/token"
	"go/types"
	"slices"
	"strings"

	"golang.org/x/tools/go/ssa"

	"github.com/kvlint/kvlint/analyzers/kvapi"
)

// claimOf returns the get of the put's key that only checked the key was
// free, on the path to the put, or nil.
func claimOf(model *kvapi.Result, put *kvapi.Op) *kvapi.Op {
	if refusedAfter(model, put) {
		return nil
	}
	for _, get := range model.GetsOf(put) {
		if get.Call.Parent() != put.Call.Parent() ||
			get.Wrapped != nil && len(get.Wrapped.Out) > 0 && !decodedForRefusal(get, put) { // decoded into a variable: used
			continue
		}
		if _, ok := get.Call.(*ssa.Call); !ok || decidedElsewhere(model, get, put) {
			continue
		}
		// A value of this request's own (not a marker, nor a default that
		// every caller writes alike) taken only when the key is missing
		// is a claim even where "already there" ends quietly: a parcel's
		// first-seen record, whose first writer the last one replaces.
		own, lock := ownValue(model, put), namesLock(model, put)
		missing, byFlag, mineTested := missingOnlyPath(model, get, put.Call.Block(), putValues(put), own, lock)
		// A found flag that refuses, then a marker or a value written
		// with a lifetime, is a cooldown ("resent recently") or a
		// dedupe mark, not a claim; but a record kept for hours is one
		// (an answer per player and round);
		// a lock that lets its own holder through is one, and so is one
		// that writes a holder's token drawn here (rand.Text()), or a
		// code drawn here, checked for a collision: a cooldown's key
		// names who asks. A lock stamped with the time it was taken is
		// a lock all the same.
		fresh := drawnHere(model, put, kvapi.Value) || drawnHere(model, put, kvapi.Key)
		lives := expiresWithin(model, put, 0)
		shortLived := expiresWithin(model, put, cooldownTTL)
		// A record under a key of the day or hour (claim:<player>/<day>)
		// is a claim once a period, whatever its lifetime: a grant.
		period := slices.ContainsFunc(put.Sources(kvapi.Key), func(src kvapi.Source) bool { return fromClock(model, put, src) })
		// A nonce seen before is a replay refused: its mark is a claim of
		// the one use, however short its lifetime.
		once := namesNonce(model, put)
		cooldown := lives && (shortLived || !writesRecord(model, put)) && !fresh && !lock && !once && !period
		if missing && !(byFlag && !mineTested && (cooldown || marker(model, put) && !lock && !once)) {
			return get
		}
	}
	return nil
}

// refusedAfter reports whether put is written on the way to turning the
// caller away: a lockout marked after a wrong PIN, then a 403. A claim
// goes on as its writer's; this put records a failure. (return
// s.Set(ctx, key, mine) hands on the put's own error, which is no
// refusal.)
func refusedAfter(model *kvapi.Result, put *kvapi.Op) bool {
	call, ok := put.Call.(*ssa.Call)
	if !ok || !kvapi.Refuses(call.Block()) {
		return false
	}
	own := []ssa.Value{call}
	for _, ref := range *call.Referrers() {
		if ex, ok := ref.(*ssa.Extract); ok {
			own = append(own, ex)
		}
	}
	for b, steps := call.Block(), 0; b != nil && steps < 8; steps++ {
		if ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return); ok {
			return !slices.ContainsFunc(ret.Results, func(r ssa.Value) bool { return model.DependsOn(r, ret, own) })
		}
		if len(b.Succs) != 1 {
			break
		}
		b = b.Succs[0]
	}
	return true
}

// decodedForRefusal reports whether every variable the get decodes into
// is read only where the put is not reached: the prior result an
// idempotency check names in its refusal ("already processed", with what
// it returned then) is no data the put is made from.
func decodedForRefusal(get, put *kvapi.Op) bool {
	for _, i := range get.Wrapped.Out {
		if i >= len(get.Args) {
			return false
		}
		arg := get.Args[i]
		if mi, ok := arg.(*ssa.MakeInterface); ok {
			arg = mi.X // GetJSON(ctx, key, &prior) of an any
		}
		alloc, ok := arg.(*ssa.Alloc)
		if !ok {
			return false
		}
		for _, ref := range *alloc.Referrers() {
			if _, debug := ref.(*ssa.DebugRef); debug || ref == get.Call {
				continue
			}
			if v, ok := ref.(ssa.Value); ok && v == get.Args[i] {
				continue
			}
			if kvapi.Reaches(ref.Block(), put.Call.Block()) || !failsFrom(ref.Block()) {
				return false
			}
		}
	}
	return true
}

// failsFrom reports whether every return that b leads to returns an
// error: the refusal's path.
func failsFrom(b *ssa.BasicBlock) bool {
	results := b.Parent().Signature.Results()
	if results.Len() == 0 || !kvapi.IsError(results.At(results.Len()-1).Type()) {
		return false
	}
	returns := 0
	for _, rb := range b.Parent().Blocks {
		ret, ok := rb.Instrs[len(rb.Instrs)-1].(*ssa.Return)
		if !ok || rb != b && !kvapi.Reaches(b, rb) {
			continue
		}
		returns++
		if c, ok := ret.Results[len(ret.Results)-1].(*ssa.Const); ok && c.IsNil() {
			return false
		}
	}
	return returns > 0
}

// decidedElsewhere reports whether, past the check, the put is reached
// only on a branch that an upstream's HTTP response decides (a 429's
// back-off marker) or that tests which error an upstream returned (an
// unknown flight remembered), or writes a marker only when a read of other data
// missed (an unknown slug remembered). What the put records is that
// answer, not a claim of the free key. (A miss of another check, an
// e-mail not yet taken, leads on to a claim: its value is not read.)
func decidedElsewhere(model *kvapi.Result, get, put *kvapi.Op) bool {
	if marker(model, put) && model.AfterMiss(put, func(other *kvapi.Op) bool {
		return other != get && !model.Same(other, get, kvapi.Key) && valueRead(other)
	}) {
		return true
	}
	if model.DecidedByError(get, put) {
		return true // an upstream's "unknown flight", remembered
	}
	from, to := get.Call.Block(), put.Call.Block()
	for _, b := range put.Call.Parent().Blocks {
		br, ok := b.Instrs[len(b.Instrs)-1].(*ssa.If)
		if !ok || b == to || !from.Dominates(b) || !b.Dominates(to) {
			continue
		}
		if model.Backward(br.Cond, br, func(s kvapi.Step) bool {
			return kvapi.IsHTTP(s.Value.Type(), "Response") || servedBy(s.Value) || inFunc(s.Value, put.Call.Parent()) && asksUpstream(model, s.Value)
		}) {
			return true
		}
	}
	return false
}

// servedBy reports whether v is a call of an http.Handler's ServeHTTP: what
// it wrote into a recorder is the origin's answer (the status of a proxied
// login), as a response is.
func servedBy(v ssa.Value) bool {
	call, ok := v.(*ssa.Call)
	if !ok {
		return false
	}
	sig := call.Call.Signature()
	name := ""
	if call.Call.IsInvoke() {
		name = call.Call.Method.Name()
	} else if callee := call.Call.StaticCallee(); callee != nil {
		name = callee.Name()
	}
	params := sig.Params()
	return name == "ServeHTTP" && params.Len() == 2 && types.TypeString(params.At(0).Type(), nil) == "net/http.ResponseWriter" && kvapi.IsHTTP(params.At(1).Type(), "Request")
}

// inFunc reports whether v is computed in fn.
func inFunc(v ssa.Value, fn *ssa.Function) bool {
	instr, ok := v.(ssa.Instruction)
	return ok && instr.Parent() == fn
}

// asksUpstream reports whether v is what a call of a helper of this
// package returns that reads an HTTP response, not KV's, itself or
// through a closure it is given (res of retry.Value(ctx, p, func(...) {
// return s.fetch(ctx, id) })): the upstream's answer, in the helper's
// own terms (a Retry-After it parsed).
func asksUpstream(model *kvapi.Result, v ssa.Value) bool {
	if ext, ok := v.(*ssa.Extract); ok {
		if types.Identical(ext.Type(), types.Universe.Lookup("error").Type()) {
			return false // whether it failed: the path on is every request's
		}
		v = ext.Tuple
	} else if _, tuple := v.Type().(*types.Tuple); tuple {
		return false // reached through one of its results, as above
	}
	call, ok := v.(*ssa.Call)
	if !ok || len(model.OpsAt(call)) > 0 {
		return false // KV's own answer (a REST SDK's get returns the response)
	}
	var reads func(fn *ssa.Function, depth int) bool
	reads = func(fn *ssa.Function, depth int) bool {
		if fn == nil || fn.Pkg != call.Parent().Pkg || depth > 2 {
			return false
		}
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				c, ok := instr.(ssa.CallInstruction)
				if !ok || len(model.OpsAt(c)) > 0 {
					continue
				}
				if res := c.Common().Signature().Results(); res.Len() > 0 && kvapi.IsHTTP(res.At(0).Type(), "Response") {
					return true // resp, err := s.HTTP.Do(req)
				}
				if reads(c.Common().StaticCallee(), depth+1) {
					return true
				}
			}
		}
		for _, anon := range fn.AnonFuncs {
			if reads(anon, depth+1) {
				return true
			}
		}
		return false
	}
	if reads(call.Call.StaticCallee(), 0) {
		return true
	}
	for _, a := range call.Call.Args {
		if mc, ok := a.(*ssa.MakeClosure); ok {
			a = mc.Fn
		}
		if fn, ok := a.(*ssa.Function); ok && reads(fn, 0) {
			return true
		}
	}
	return false
}

// valueRead reports whether what the get returns is used for more than
// a test of whether it is there.
func valueRead(get *kvapi.Op) bool {
	for _, v := range get.Results() {
		for _, ref := range *v.Referrers() {
			switch ref.(type) {
			case *ssa.BinOp, *ssa.DebugRef, *ssa.If:
			default:
				return true
			}
		}
	}
	return false
}

// namesLock reports whether put's key names a lock, which holds
// mutual exclusion for its holder: taken after a look that finds it free,
// it is a claim even when it expires ("lock:checkout:" + cart).
func namesLock(model *kvapi.Result, put *kvapi.Op) bool {
	return keyNames(model, put, "lock", "locks", "mutex")
}

// namesNonce reports whether the put's key names a nonce, or a token's
// unique ID (jti): a value that may be used once.
func namesNonce(model *kvapi.Result, put *kvapi.Op) bool {
	return keyNames(model, put, "nonce", "nonces", "jti")
}

// keyNames reports whether a word of the text of put's key is one of
// words.
func keyNames(model *kvapi.Result, put *kvapi.Op, words ...string) bool {
	for _, src := range put.Sources(kvapi.Key) {
		for _, w := range kvapi.Words(model.KeyText(src)) {
			if slices.Contains(words, strings.ToLower(w)) {
				return true
			}
		}
	}
	return false
}

// ownValue reports whether the put writes something of this request's
// own beyond what names the key: a parcel's facility under its number, not
// a placeholder record built from the name it is stored under, a
// constant, or the time.
func ownValue(model *kvapi.Result, put *kvapi.Op) bool {
	if marker(model, put) || seeds(put.Call.Parent()) {
		return false
	}
	key := origins(model, put, kvapi.Key)
	for v := range origins(model, put, kvapi.Value) {
		if !key[v] {
			return true
		}
	}
	return false
}

// localField returns the field of a local variable that v is, or loads.
func localField(v ssa.Value) *ssa.FieldAddr {
	if load, ok := v.(*ssa.UnOp); ok && load.Op == token.MUL {
		v = load.X
	}
	fa, ok := v.(*ssa.FieldAddr)
	if !ok {
		return nil
	}
	if _, local := fa.X.(*ssa.Alloc); !local {
		return nil
	}
	return fa
}

// origins returns the parameters, and the fields of what is not a
// package variable, that the operand o of put is computed from: what a
// request brings, not a default every request writes alike (a parameter
// named for one: defaults, initial, seed). A field is one origin however
// often it is read: t.ID in the key and t.ID in the value.
func origins(model *kvapi.Result, put *kvapi.Op, o kvapi.Operand) map[origin]bool {
	out := make(map[origin]bool)
	// What KV holds is no request's own: a template copied from another
	// key is the same for every request.
	var stored []ssa.Value
	for _, op := range model.Ops {
		if op.Method.Role == kvapi.Get && op.Call.Parent() == put.Call.Parent() {
			stored = append(stored, op.Results()...)
		}
	}
	// A field of a record decoded here (a.Fingerprint of the alert in
	// m.Data) is an origin of its own, not all of what the record was
	// decoded from.
	prune := func(s kvapi.Step) bool {
		_, _, part := selected(s.Value)
		return slices.Contains(stored, s.Value) || localField(s.Value) != nil || part
	}
	for _, src := range put.Sources(o) {
		for _, in := range src.Inputs() {
			model.BackwardPruned(in, put.Call, prune, func(s kvapi.Step) bool {
				if base, part, ok := selected(s.Value); ok {
					out[origin{base, -1, part}] = true
					return false
				}
				switch v := s.Value.(type) {
				case *ssa.Parameter:
					if !namedDefault(v.Name()) {
						out[origin{v, -1, ""}] = true
					}
				case *ssa.FreeVar:
					out[origin{v, -1, ""}] = true
				case *ssa.FieldAddr:
					if _, global := v.X.(*ssa.Global); !global {
						out[origin{v.X, v.Field, ""}] = true
					}
				case *ssa.Field:
					out[origin{v.X, v.Field, ""}] = true
				case *ssa.UnOp:
					if fa := localField(v); fa != nil {
						out[origin{fa.X, fa.Field, ""}] = true
					}
				}
				return false
			})
		}
	}
	return out
}

// An origin is a parameter or free variable (field -1), or a field of a
// value, or a part of a value that a method picks by constants (part).
type origin struct {
	base  ssa.Value
	field int
	part  string
}

// selected returns the value that v, a call of one of its methods with
// constant arguments only, picks a part of, and which part: the key and
// the value of a script's call, L.CheckString(1) and L.CheckString(2), or
// a request's r.PathValue("slug") and r.FormValue("owner"), are different
// origins, though both come from one parameter.
func selected(v ssa.Value) (base ssa.Value, part string, ok bool) {
	call, isCall := v.(*ssa.Call)
	if !isCall {
		return nil, "", false
	}
	common := call.Common()
	args := common.Args
	var name string
	switch callee := common.StaticCallee(); {
	case common.IsInvoke():
		base, name = common.Value, common.Method.Name()
	case callee != nil && callee.Signature.Recv() != nil && len(args) > 0:
		base, name, args = args[0], callee.Name(), args[1:]
	default:
		return nil, "", false
	}
	if len(args) == 0 {
		return nil, "", false
	}
	picks := make([]string, len(args))
	for i, a := range args {
		c, isConst := a.(*ssa.Const)
		if !isConst {
			return nil, "", false
		}
		picks[i] = c.String()
	}
	return base, name + "(" + strings.Join(picks, ", ") + ")", true
}

func namedDefault(name string) bool {
	name = strings.ToLower(name)
	return name == "def" || name == "dflt" || strings.HasPrefix(name, "default") || strings.HasPrefix(name, "fallback") || strings.HasPrefix(name, "initial") || strings.HasPrefix(name, "seed")
}

// seeds reports whether fn is named for writing a default where none is
// yet (seed, EnsureSettings, bootstrapFlags): what it writes is the same
// whoever runs it, so a second writer loses nothing.
func seeds(fn *ssa.Function) bool {
	for fn.Parent() != nil {
		fn = fn.Parent()
	}
	name := strings.ToLower(fn.Name())
	return strings.HasPrefix(name, "seed") || strings.HasPrefix(name, "ensure") || strings.HasPrefix(name, "bootstrap")
}

// drawnHere reports whether the put's operand o is drawn at random here:
// a lock holder's token, a code checked for a collision.
func drawnHere(model *kvapi.Result, put *kvapi.Op, o kvapi.Operand) bool {
	for _, src := range put.Sources(o) {
		for _, in := range src.Inputs() {
			if model.Backward(in, put.Call, func(s kvapi.Step) bool {
				call, ok := s.Value.(*ssa.Call)
				return ok && kvapi.Fresh(call)
			}) {
				return true
			}
		}
	}
	return false
}

// putValues returns the values of this function that put writes.
func putValues(put *kvapi.Op) []ssa.Value {
	var vals []ssa.Value
	for _, src := range put.Sources(kvapi.Value) {
		vals = append(vals, src.Inputs()...)
	}
	return vals
}

// writesRecord reports whether the put's value is made from a struct
// (an answer, a profile) rather than a stamp or a marker: a time is no
// record.
func writesRecord(model *kvapi.Result, put *kvapi.Op) bool {
	for _, in := range putValues(put) {
		if model.Backward(in, put.Call, func(s kvapi.Step) bool {
			// A struct made here (a literal, or one decoded into), not
			// the receiver whose clock or fields it reads.
			alloc, ok := s.Value.(*ssa.Alloc)
			if !ok {
				return false
			}
			t := alloc.Type().Underlying().(*types.Pointer).Elem()
			_, isStruct := t.Underlying().(*types.Struct)
			return isStruct && !kvapi.IsTime(t)
		}) {
			return true
		}
	}
	return false
}

// cooldownTTL is the longest lifetime, in seconds, of a cooldown or a
// lease: what outlives it is a record that expires, not a wait.
const cooldownTTL = 3600

// expiresWithin reports whether put gives its key a lifetime, of at most
// max seconds unless max is 0, or an expiry computed here from the clock
// (time.Now().Add(30 * time.Second)).
func expiresWithin(model *kvapi.Result, put *kvapi.Op, max int64) bool {
	for _, o := range []kvapi.Operand{kvapi.TTL, kvapi.Expiration} {
		for _, src := range put.Sources(o) {
			vals, _ := model.EvalSource(src, nil)
			if len(vals) == 0 && fromClock(model, put, src) {
				return true
			}
			for _, v := range vals {
				if constant.Sign(v) == 0 {
					continue
				}
				if n, exact := constant.Int64Val(constant.ToInt(v)); max == 0 || o == kvapi.TTL && exact && n <= max {
					return true
				}
			}
		}
	}
	return false
}

// fromClock reports whether src is computed from time.Now.
func fromClock(model *kvapi.Result, put *kvapi.Op, src kvapi.Source) bool {
	for _, in := range src.Inputs() {
		if model.Backward(in, put.Call, func(s kvapi.Step) bool {
			call, ok := s.Value.(*ssa.Call)
			return ok && kvapi.CalleeName(call) == "time.Now"
		}) {
			return true
		}
	}
	return false
}

// marker reports whether put writes a constant or the time, which marks
// that something happened rather than who owns the key.
func marker(model *kvapi.Result, put *kvapi.Op) bool {
	srcs := put.Sources(kvapi.Value)
	for _, src := range srcs {
		if vals, free := model.EvalSource(src, nil); len(vals) > 0 && len(free) == 0 {
			continue
		}
		for _, in := range src.Inputs() {
			if kvapi.Clock(in) {
				continue
			}
			if model.Backward(in, put.Call, func(s kvapi.Step) bool {
				switch v := s.Value.(type) {
				case *ssa.Parameter, *ssa.FreeVar, *ssa.UnOp:
					return true
				case *ssa.Call:
					callee := v.Call.StaticCallee()
					return callee == nil || callee.Pkg == nil || callee.Pkg.Pkg.Path() != "time"
				}
				return false
			}) {
				return false
			}
		}
	}
	return len(srcs) > 0
}

// missingOnlyPath reports whether the results of the get call are used
// only to test whether the key was there, or whether it already holds
// mine (what the put writes), and block runs only where the tests said it
// was not there or was mine; byFlag, whether something other than an
// error said so; mineTested, whether the value was compared with mine.
// Where the key was there the function must refuse, unless own says the
// put writes this request's own value or lock that its key names a lock.
func missingOnlyPath(model *kvapi.Result, get *kvapi.Op, block *ssa.BasicBlock, mine []ssa.Value, own, lock bool) (missing, byFlag, mineTested bool) {
	call := get.Call.(*ssa.Call)
	var results []ssa.Value
	if call.Call.Signature().Results().Len() == 1 {
		results = []ssa.Value{call}
	} else {
		for _, ref := range *call.Referrers() {
			if ext, ok := ref.(*ssa.Extract); ok {
				results = append(results, ext)
			}
		}
	}
	type test struct {
		missing *edge
		byFlag  bool
		null    bool // by comparing the value with "<null>"
		// errors.As(err, &notFound): a test of which error, whose other
		// side is another error: returning it refuses nothing.
		kind bool
	}
	var tests []test
	var mineEdges []edge          // taken when the key already holds mine
	reread := retried(model, get) // a loop's way back to look again
	mine = withFields(mine)
	views, reads, fields := withConversions(results)
	for _, res := range views {
		for _, ref := range kvapi.Uses(res) {
			if isConversion(ref) || reads[ref] {
				continue // a view of the result, tested in its own right
			}
			if e, ok := sameAs(model, ref, res, mine); ok {
				mineEdges = append(mineEdges, e)
				continue
			}
			missingEdge, ok := presenceTest(model, ref, res)
			if fields[res] {
				ok = false // a record's own flag (cur.Locked) says nothing of the key
			}
			if !ok {
				if kvapi.IsError(res.Type()) || (namedInError(ref) || decodedForError(ref)) && !kvapi.Reaches(ref.Block(), block) || closesBody(ref) {
					// Returning or wrapping the error uses no value, and
					// neither does naming the holder in the refusal or
					// closing the response it came in.
					continue
				}
				if reread != nil && !reachesAvoiding(ref.Block(), block, nil, reread) && !handedOn(model, get.Call.Parent(), results) {
					// A holder looked at (is the lock stale?) on the way
					// back to look again: no write of this look uses it.
					continue
				}
				return false, false, false // the value is used: not a mere check
			}
			// Only an error, a found flag or syumai's "<null>" (compared
			// here or by a helper) says "missing" plainly enough: a value
			// compared with "" may be a dedupe marker's, written once per
			// event, which is no claim of a shared name.
			null := comparedWithNull(ref) || isNullCheck(model, ref, res)
			// (GetString's error is never a miss: it hands one back as
			// "<null>", and code that seeds the key on its error is
			// kvnull's finding.)
			errorMisses := kvapi.IsError(res.Type()) && get.MissingText() == ""
			// A wrapper's bytes or record that is nil says "nothing
			// there" as plainly: existing, _ := c.get(ctx, key); if
			// existing != nil { refuse }.
			nilMisses := !kvapi.IsError(res.Type()) && comparedWithNil(ref)
			if missingEdge != nil && (errorMisses || kvapi.IsBool(res.Type()) || null || nilMisses) {
				call, isCall := ref.(*ssa.Call)
				tests = append(tests, test{missingEdge, !kvapi.IsError(res.Type()), null, isCall && kvapi.CalleeName(call) == "errors.As"})
			}
		}
	}
	for _, t := range tests {
		// A claim refuses when the key is taken by another; code that
		// goes on as if done when it is there (seeding a default)
		// claims nothing. A lock is claimed even where the run that
		// finds it held skips quietly: a cron job that returns nil while
		// another run holds it.
		present := t.missing.other()
		if t.missing.from.Dominates(block) &&
			!reachesAvoiding(present, block, mineEdges, reread) && (refusesUnlessMine(present, mineEdges) && !t.kind || own && !t.null || lock) {
			missing = true
			byFlag = byFlag || t.byFlag
		}
	}
	return missing, byFlag, len(mineEdges) > 0
}

// withFields returns vals and, for each struct built here as a literal,
// what its fields were given: the holder in Claim{Holder: me}, which a
// found claim's Holder may be compared with, or a bulk pair's Value; and
// so on into literals given to fields, a few levels down (the holder in
// CreateLockParams{Lock: Lock{Holder: me}}).
func withFields(vals []ssa.Value) []ssa.Value {
	out := slices.Clone(vals)
	for range 2 {
		out = withFieldsOnce(out)
	}
	return out
}

func withFieldsOnce(vals []ssa.Value) []ssa.Value {
	out := slices.Clone(vals)
	for _, v := range vals {
		load, ok := kvapi.Unconverted(v).(*ssa.UnOp)
		if !ok || load.Op != token.MUL {
			continue
		}
		lit, ok := load.X.(*ssa.Alloc)
		if !ok {
			continue
		}
		for _, ref := range kvapi.Uses(lit) {
			fa, ok := ref.(*ssa.FieldAddr)
			if !ok {
				continue
			}
			for _, use := range kvapi.Uses(fa) {
				if store, ok := use.(*ssa.Store); ok && store.Addr == fa && !slices.Contains(out, store.Val) {
					out = append(out, store.Val)
					if arg := kvapi.FieldArg(store.Val); arg != store.Val {
						out = append(out, arg) // a bulk pair's Value: cloudflare.F(s.id)
					}
				}
			}
		}
	}
	return out
}

// namedInError reports whether instr puts a value into an error: a field
// of an error type's struct (&LockedError{Holder: v}), or an argument of
// fmt.Errorf, which takes it boxed in its ...any slice; or into a log
// line (log.Printf("held by %s", holder)); or into text joined with +
// that an error is made of (http.Error(w, "in use by "+holder, 409)).
func namedInError(instr ssa.Instruction) bool {
	switch instr := instr.(type) {
	case *ssa.Convert, *ssa.ChangeType:
		refs := kvapi.Uses(instr.(ssa.Value))
		return len(refs) > 0 && !slices.ContainsFunc(refs, func(ref ssa.Instruction) bool { return !namedInError(ref) })
	case *ssa.BinOp:
		// "alias in use by " + cur, given to http.Error.
		if instr.Op != token.ADD || !kvapi.IsString(instr.Type()) {
			return false
		}
		refs := kvapi.Uses(instr)
		return len(refs) > 0 && !slices.ContainsFunc(refs, func(ref ssa.Instruction) bool {
			c, ok := ref.(*ssa.Call)
			return !namedInError(ref) && !(ok && answersError(c))
		})
	case *ssa.Store:
		fa, ok := instr.Addr.(*ssa.FieldAddr)
		return ok && types.Implements(fa.X.Type(), errorType)
	case *ssa.MakeInterface:
		for _, ref := range kvapi.Uses(instr) {
			store, ok := ref.(*ssa.Store)
			if !ok {
				continue
			}
			elem, ok := store.Addr.(*ssa.IndexAddr)
			if !ok {
				continue
			}
			for _, use := range kvapi.Uses(elem.X) {
				if slice, ok := use.(*ssa.Slice); ok {
					for _, call := range kvapi.Uses(slice) {
						if c, ok := call.(*ssa.Call); ok && (kvapi.CalleeName(c) == "fmt.Errorf" || logs(c) || refusalText(c)) {
							return true
						}
					}
				}
			}
		}
	}
	return false
}

// refusalText reports whether call formats the text of a refusal and
// nothing else: fmt.Sprintf("%s is taken by %s", slug, owner) given to
// http.Error or errors.New.
func refusalText(call *ssa.Call) bool {
	if kvapi.CalleeName(call) != "fmt.Sprintf" {
		return false
	}
	uses := kvapi.Uses(call)
	return len(uses) > 0 && !slices.ContainsFunc(uses, func(u ssa.Instruction) bool {
		c, ok := u.(*ssa.Call)
		return !ok || !answersError(c)
	})
}

// answersError reports whether call answers with an error made of its text:
// http.Error or errors.New.
func answersError(call *ssa.Call) bool {
	name := kvapi.CalleeName(call)
	return name == "net/http.Error" || name == "errors.New"
}

// decodedForError reports whether instr decodes the value into a record
// whose fields are only named in errors: the holder of a taken name, in
// the refusal (json.Unmarshal(raw, &cur); fmt.Errorf("taken by %s",
// cur.TenantID)).
func decodedForError(instr ssa.Instruction) bool {
	call, ok := instr.(*ssa.Call)
	if !ok || kvapi.CalleeName(call) != "encoding/json.Unmarshal" || len(call.Call.Args) != 2 {
		return false
	}
	box, ok := call.Call.Args[1].(*ssa.MakeInterface)
	if !ok {
		return false
	}
	rec, ok := box.X.(*ssa.Alloc)
	if !ok {
		return false
	}
	named := false
	for _, use := range kvapi.Uses(rec) {
		if use == box {
			continue
		}
		fa, ok := use.(*ssa.FieldAddr)
		if !ok {
			return false
		}
		for _, load := range kvapi.Uses(fa) {
			l, ok := load.(*ssa.UnOp)
			if !ok || l.Op != token.MUL {
				return false
			}
			for _, u := range kvapi.Uses(l) {
				if !namedInError(u) && !formattedForError(u) {
					return false
				}
				named = true
			}
		}
	}
	return named
}

// formattedForError reports whether instr formats a value for an error
// and does nothing else with it: cur.Since.Format(time.RFC3339) named in
// the refusal.
func formattedForError(instr ssa.Instruction) bool {
	call, ok := instr.(*ssa.Call)
	if !ok {
		return false
	}
	uses := kvapi.Uses(call)
	return len(uses) > 0 && !slices.ContainsFunc(uses, func(u ssa.Instruction) bool { return !namedInError(u) })
}

// closesBody reports whether instr reads a response's Body only to close
// it: res.Body.Close().
func closesBody(instr ssa.Instruction) bool {
	fa, ok := instr.(*ssa.FieldAddr)
	if !ok || kvapi.FieldOf(fa) == nil || kvapi.FieldOf(fa).Name() != "Body" {
		return false
	}
	loads := kvapi.Uses(fa)
	for _, l := range loads {
		load, ok := l.(*ssa.UnOp)
		if !ok || load.Op != token.MUL {
			return false
		}
		for _, use := range kvapi.Uses(load) {
			call, ok := use.(ssa.CallInstruction)
			if !ok || !call.Common().IsInvoke() || call.Common().Value != load || call.Common().Method.Name() != "Close" {
				return false
			}
		}
	}
	return len(loads) > 0
}

var errorType = types.Universe.Lookup("error").Type().Underlying().(*types.Interface)

// An edge is a way from one block to another.
type edge struct{ from, to *ssa.BasicBlock }

// other returns the other way out of e's branch.
func (e *edge) other() *ssa.BasicBlock {
	if e.from.Succs[0] == e.to {
		return e.from.Succs[1]
	}
	return e.from.Succs[0]
}

// withConversions returns vals and their conversions, as the holder's
// ID of its own type, ids.GrowerID(owner), or string(b), and what is read
// out of them (see accessed); fields holds those that are a record's
// fields.
func withConversions(vals []ssa.Value) (out []ssa.Value, reads map[ssa.Instruction]bool, fields map[ssa.Value]bool) {
	out = slices.Clone(vals)
	reads = make(map[ssa.Instruction]bool)
	fields = make(map[ssa.Value]bool)
	for i := 0; i < len(out); i++ {
		for _, ref := range kvapi.Uses(out[i]) {
			if isConversion(ref) && !kvapi.IsError(out[i].Type()) {
				out = append(out, ref.(ssa.Value))
				fields[ref.(ssa.Value)] = fields[out[i]]
			}
			if data, ok := bodyRead(ref, out[i]); ok {
				out, reads[ref] = append(out, data), true
				continue // the body is read, and its bytes are the value
			}
			if parts := accessed(ref, out[i]); parts != nil {
				out, reads[ref] = append(out, parts...), true
				for _, p := range parts {
					fields[p] = (fields[out[i]] || isField(ref)) && !presenceFlag(p)
				}
			}
		}
	}
	return out, reads, fields
}

// presenceFlag reports whether v reads a flag that says whether the key
// was there, as an optional's or a result's Found or OK does
// (res.Value.Found of a Result[Optional[T]]): no field of the record.
func presenceFlag(v ssa.Value) bool {
	field := kvapi.FieldRead(v)
	if fa, ok := v.(*ssa.FieldAddr); ok {
		field = kvapi.FieldOf(fa)
	}
	if field == nil || !kvapi.IsBool(field.Type()) {
		return false
	}
	switch strings.ToLower(field.Name()) {
	case "found", "ok", "exists", "present", "hit", "has", "valid":
		return true
	}
	return false
}

// isField reports whether instr reads a field.
func isField(instr ssa.Instruction) bool {
	switch instr.(type) {
	case *ssa.Field, *ssa.FieldAddr:
		return true
	}
	return false
}

// accessed returns what instr reads out of v without using it: a field
// (c.Owner), the local variable it is kept in, or the results of a
// method of v's own type that takes nothing else, such as an optional's
// Get() (T, bool) or Present() bool. Each is then tested in its own right.
func accessed(instr ssa.Instruction, v ssa.Value) []ssa.Value {
	switch instr := instr.(type) {
	case *ssa.Store:
		// (An error kept in a variable is tested where it is read back
		// as before: an error's uses are no use of the value.)
		if local, ok := instr.Addr.(*ssa.Alloc); ok && instr.Val == v && !local.Heap && !kvapi.IsError(v.Type()) {
			return []ssa.Value{local}
		}
	case *ssa.UnOp:
		if _, local := v.(*ssa.Alloc); local && instr.Op == token.MUL {
			return []ssa.Value{instr}
		}
	case *ssa.Field:
		return []ssa.Value{instr}
	case *ssa.FieldAddr:
		if closesBody(instr) {
			return nil
		}
		var loads []ssa.Value
		for _, ref := range kvapi.Uses(instr) {
			if inner, ok := ref.(*ssa.FieldAddr); ok {
				// A field of the field: res.Value.Found.
				parts := accessed(inner, instr)
				if parts == nil {
					return nil
				}
				loads = append(loads, parts...)
				continue
			}
			load, ok := ref.(*ssa.UnOp)
			if !ok || load.Op != token.MUL {
				return nil
			}
			loads = append(loads, load)
		}
		return loads
	case *ssa.Call:
		callee := instr.Call.StaticCallee()
		if callee == nil || callee.Signature.Recv() == nil || len(instr.Call.Args) != 1 || instr.Call.Args[0] != v {
			return nil
		}
		if instr.Call.Signature().Results().Len() == 1 {
			return []ssa.Value{instr}
		}
		var results []ssa.Value
		for _, ref := range kvapi.Uses(instr) {
			ext, ok := ref.(*ssa.Extract)
			if !ok {
				return nil
			}
			results = append(results, ext)
		}
		return results
	}
	return nil
}

// bodyRead returns the bytes that instr reads from res, the response a
// get returned: io.ReadAll(res.Body), or a helper given res alone that
// returns them (readBody(res)). They are the value the key holds.
func bodyRead(instr ssa.Instruction, res ssa.Value) (ssa.Value, bool) {
	if !kvapi.IsHTTP(res.Type(), "Response") {
		return nil, false
	}
	switch instr := instr.(type) {
	case *ssa.Call:
		if instr.Call.StaticCallee() != nil && len(instr.Call.Args) == 1 && instr.Call.Args[0] == res {
			return readBytes(instr)
		}
	case *ssa.FieldAddr:
		if kvapi.FieldOf(instr) == nil || kvapi.FieldOf(instr).Name() != "Body" {
			return nil, false
		}
		var data ssa.Value
		for _, l := range kvapi.Uses(instr) {
			load, ok := l.(*ssa.UnOp)
			if !ok || load.Op != token.MUL {
				return nil, false
			}
			uses := kvapi.Uses(load)
			for i := 0; i < len(uses); i++ {
				use := uses[i]
				if ci, ok := use.(*ssa.ChangeInterface); ok {
					uses = append(uses, kvapi.Uses(ci)...) // the body as an io.Reader
					continue
				}
				call, ok := use.(*ssa.Call)
				switch {
				case ok && call.Call.IsInvoke() && call.Call.Method.Name() == "Close":
				case ok && kvapi.CalleeName(call) == "io.ReadAll" && data == nil:
					if data, ok = readBytes(call); !ok {
						return nil, false
					}
				default:
					return nil, false
				}
			}
		}
		return data, data != nil
	}
	return nil, false
}

// readBytes returns the bytes or text that call returns, perhaps with an
// error.
func readBytes(call *ssa.Call) (ssa.Value, bool) {
	res := call.Call.Signature().Results()
	text := func(t types.Type) bool {
		if sl, ok := t.Underlying().(*types.Slice); ok {
			return types.Identical(sl.Elem().Underlying(), types.Typ[types.Byte])
		}
		b, ok := t.Underlying().(*types.Basic)
		return ok && b.Info()&types.IsString != 0
	}
	switch {
	case res.Len() == 1 && text(res.At(0).Type()):
		return call, true
	case res.Len() == 2 && text(res.At(0).Type()) && kvapi.IsError(res.At(1).Type()):
		for _, ref := range kvapi.Uses(call) {
			if ext, ok := ref.(*ssa.Extract); ok && ext.Index == 0 {
				return ext, true
			}
		}
	}
	return nil, false
}

func isConversion(instr ssa.Instruction) bool {
	switch instr.(type) {
	case *ssa.ChangeType, *ssa.Convert:
		return true
	}
	return false
}

// sameAs reads instr, a use of a get's result res, as a test of whether
// the key already holds one of mine, and returns the edge its branch
// takes when it does.
func sameAs(model *kvapi.Result, instr ssa.Instruction, res ssa.Value, mine []ssa.Value) (edge, bool) {
	cmp, ok := instr.(*ssa.BinOp)
	if !ok || cmp.Op != token.EQL && cmp.Op != token.NEQ {
		return edge{}, false
	}
	other := kvapi.Unconverted(kvapi.OtherOperand(cmp, res))
	if k, ok := other.(*ssa.Const); ok && k.IsNil() {
		return edge{}, false // err == nil asks whether the key is there, though a nil value is written
	}
	if !slices.ContainsFunc(mine, func(m ssa.Value) bool { return model.SameValue(kvapi.Unconverted(m), other) }) {
		return edge{}, false
	}
	uses := kvapi.Uses(cmp)
	if len(uses) != 1 {
		return edge{}, false
	}
	br, ok := uses[0].(*ssa.If)
	if !ok {
		return edge{}, false
	}
	b := br.Block()
	if cmp.Op == token.EQL {
		return edge{b, b.Succs[0]}, true
	}
	return edge{b, b.Succs[1]}, true
}

// comparedWithNull reports whether instr compares with "<null>", the
// string syumai/workers returns for a missing key.
func comparedWithNull(instr ssa.Instruction) bool {
	cmp, ok := instr.(*ssa.BinOp)
	if !ok {
		return false
	}
	return slices.ContainsFunc([]ssa.Value{cmp.X, cmp.Y}, func(v ssa.Value) bool {
		s, ok := kvapi.StringConst(v)
		return ok && s == "<null>"
	})
}

// comparedWithNil reports whether instr compares a value with nil.
func comparedWithNil(instr ssa.Instruction) bool {
	cmp, ok := instr.(*ssa.BinOp)
	if !ok || cmp.Op != token.EQL && cmp.Op != token.NEQ {
		return false
	}
	return slices.ContainsFunc([]ssa.Value{cmp.X, cmp.Y}, func(v ssa.Value) bool {
		c, ok := v.(*ssa.Const)
		return ok && c.IsNil()
	})
}

// isNullCheck reports whether instr passes res to a helper that compares
// it with "<null>" (kvstore.IsMissing(v)), in this package or another.
func isNullCheck(model *kvapi.Result, instr ssa.Instruction, res ssa.Value) bool {
	call, ok := instr.(*ssa.Call)
	return ok && model.ChecksMissing(call.Common(), res)
}

// retried returns the block of get when a loop around it reads the same
// key again on each run (a lock that waits and looks again) or a key
// drawn anew (a code that collided, drawn again), and nil when each run
// reads a key of its own (seeding each of a list of defaults).
func retried(model *kvapi.Result, get *kvapi.Op) *ssa.BasicBlock {
	block := get.Call.Block()
	loop := kvapi.Around(block)
	if loop == nil {
		return nil
	}
	for _, src := range get.Sources(kvapi.Key) {
		for _, in := range src.Inputs() {
			if instr, ok := in.(ssa.Instruction); ok && instr.Block() != nil && loop[instr.Block()] && !drawnInLoop(model, get, in, loop) {
				return nil
			}
		}
	}
	return block
}

// drawnInLoop reports whether v, an input of get's key, is drawn at
// random in loop: code = randomCode(6) on each attempt.
func drawnInLoop(model *kvapi.Result, get *kvapi.Op, v ssa.Value, loop map[*ssa.BasicBlock]bool) bool {
	return model.Backward(v, get.Call, func(s kvapi.Step) bool {
		call, ok := s.Value.(*ssa.Call)
		return ok && loop[call.Block()] && kvapi.Fresh(call)
	})
}

// reachesAvoiding reports whether to can be reached from from without
// taking any of the edges avoid, nor passing through reread: a way back
// to the get, in a loop that waits and looks again, checks anew.
func reachesAvoiding(from, to *ssa.BasicBlock, avoid []edge, reread *ssa.BasicBlock) bool {
	return kvapi.ReachesAlong(from, to, func(b, succ *ssa.BasicBlock) bool {
		return (b != reread || b == from) && !slices.Contains(avoid, edge{b, succ})
	})
}

// refusesUnlessMine reports whether block refuses, or tests whether the
// key holds mine and refuses when it does not.
func refusesUnlessMine(block *ssa.BasicBlock, mine []edge) bool {
	if len(block.Succs) == 2 {
		for i, succ := range block.Succs {
			if slices.Contains(mine, edge{block, succ}) {
				return kvapi.Refuses(block.Succs[1-i])
			}
		}
	}
	return kvapi.Refuses(block)
}

// logs reports whether call writes a log line: a function of package log
// or log/slog, or a method of their loggers. (Not fmt, as kvapi's
// Inspected allows: text that fmt.Sprintf makes of the value may be
// served, as a cache hit's is.)
func logs(call *ssa.Call) bool {
	callee := call.Call.StaticCallee()
	if callee == nil || callee.Pkg == nil {
		return false
	}
	path := callee.Pkg.Pkg.Path()
	return path == "log" || path == "log/slog"
}

// presenceTest reads instr, a use of a get's result res, as a test of
// whether the key was there, and returns the edge its branch takes when
// the key was missing (none when the test is not a branch, as in the
// second half of "err != nil && !IsNotFound(err)").
func presenceTest(model *kvapi.Result, instr ssa.Instruction, res ssa.Value) (*edge, bool) {
	var cond ssa.Value
	missingWhenTrue := false
	switch instr := instr.(type) {
	case *ssa.Call:
		if isNullCheck(model, instr, res) {
			missingWhenTrue, cond = true, instr // kvstore.IsMissing(v)
			break
		}
		// IsNotFound(err), errors.Is(err, ErrNotFound): true when missing.
		if !kvapi.IsError(res.Type()) || instr.Call.Signature().Results().Len() != 1 {
			return nil, false
		}
		if kvapi.CalleeName(instr) == "errors.As" && !notFoundTarget(instr) {
			return nil, true // the kind of error, whose status says more
		}
		missingWhenTrue, cond = true, instr
	case *ssa.BinOp:
		if instr.Op != token.EQL && instr.Op != token.NEQ || !isZero(kvapi.OtherOperand(instr, res)) {
			return nil, false
		}
		// err == nil and v == "" say "there" and "missing" respectively.
		missingWhenTrue = (instr.Op == token.EQL) != kvapi.IsError(res.Type())
		cond = instr
	case *ssa.If:
		// A found flag: if found { return ErrTaken }.
		if !kvapi.IsBool(res.Type()) {
			return nil, false
		}
		return &edge{instr.Block(), instr.Block().Succs[1]}, true
	case *ssa.UnOp:
		if instr.Op != token.NOT || !kvapi.IsBool(res.Type()) {
			return nil, false
		}
		missingWhenTrue, cond = true, instr
	default:
		return nil, false
	}
	for {
		uses := kvapi.Uses(cond)
		if len(uses) != 1 {
			return nil, true
		}
		switch use := uses[0].(type) {
		case *ssa.UnOp:
			if use.Op != token.NOT {
				return nil, true
			}
			missingWhenTrue, cond = !missingWhenTrue, use
			continue
		case *ssa.If:
			if missingWhenTrue {
				return &edge{use.Block(), use.Block().Succs[0]}, true
			}
			return &edge{use.Block(), use.Block().Succs[1]}, true
		}
		return nil, true
	}
}

// notFoundTarget reports whether call, errors.As(err, &target), asks
// for an error type named for a missing key: *cloudflare.NotFoundError.
func notFoundTarget(call *ssa.Call) bool {
	if len(call.Call.Args) != 2 {
		return false
	}
	t := call.Call.Args[1].Type()
	if mi, ok := call.Call.Args[1].(*ssa.MakeInterface); ok {
		t = mi.X.Type()
	}
	for {
		p, ok := t.Underlying().(*types.Pointer)
		if !ok {
			break
		}
		t = p.Elem()
	}
	named, ok := types.Unalias(t).(*types.Named)
	return ok && strings.Contains(named.Obj().Name(), "NotFound")
}

// isZero reports whether v is nil, "" or the string syumai/workers returns
// for a missing key.
func isZero(v ssa.Value) bool {
	c, ok := v.(*ssa.Const)
	if !ok {
		return false
	}
	if c.Value == nil {
		return true
	}
	if c.Value.Kind() == constant.String {
		s := constant.StringVal(c.Value)
		return s == "" || s == "<null>"
	}
	return false
}
