package kvcounter

import (
	_ "embed"
	"go/constant"
	"go/token"
	"go/types"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/kvlint/kvlint/analyzers/internal/analysisdoc"
	"github.com/kvlint/kvlint/analyzers/internal/report"
	"github.com/kvlint/kvlint/analyzers/kvapi"
)

//go:embed doc.go
var doc string

// DefaultKeys matches a word of a key's constant text that names a count.
// Words are split at punctuation and camel case: "rate:" + ip has "rate",
// "pageViews:" has "page" and "views". Whole words keep "account:" and
// "discount:" out.
const DefaultKeys = `(?i)^(counts?|counters?|quotas?|attempts?|tries|hits?|views?|visits?|clicks?|downloads?|throttle|ratelimits?|ratelimiters?|limiters?|rate|rl|limits?|usage|\w+(views|visits|clicks|hits|attempts|counter)|\w*[^cs]counts?)$`

// thingsViewed are words that DefaultKeys' \w+views would read as counts:
// a preview or a review is a thing, not a tally of views.
var thingsViewed = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)^(pre|re|inter|over)views?$`) })

// countWord reports whether word names a count by keys, which for the
// default pattern leaves out thingsViewed.
func countWord(keys *regexp.Regexp, word string) bool {
	return keys.MatchString(word) && !(keys.String() == DefaultKeys && thingsViewed().MatchString(word))
}

// Result lists the puts that kvcounter reported, so that kvrace, which
// requires it, keeps to one diagnostic per site.
type Result struct {
	Claimed map[ssa.CallInstruction]bool
	keys    *regexp.Regexp
}

// NamesCount reports whether the key of op names a count (views:, hits:),
// by the analyzer's key pattern: a count that is missing is zero.
func (r *Result) NamesCount(model *kvapi.Result, op *kvapi.Op) bool {
	return r.keys != nil && namesCount(r.keys, model, op)
}

// Analyzer is kvcounter with the default configuration.
var Analyzer = New(DefaultKeys)

// New returns a kvcounter analyzer whose key pattern is keys, bound to its
// -keys flag.
func New(keys string) *analysis.Analyzer {
	c := &checker{source: keys}
	a := &analysis.Analyzer{
		Name:       "kvcounter",
		Doc:        analysisdoc.Extract(doc, "kvcounter"),
		URL:        "https://github.com/kvlint/kvlint/blob/main/docs/kvcounter.md",
		Requires:   []*analysis.Analyzer{kvapi.Analyzer},
		Run:        c.run,
		ResultType: reflect.TypeFor[*Result](),
	}
	a.Flags.Func("keys", "regular expression matched against each word of a key's constant text, naming a count (default "+keys+")", func(s string) error {
		re, err := regexp.Compile(s)
		if err != nil {
			return err
		}
		c.keys = re
		return nil
	})
	return a
}

// checker compiles its key pattern when a package first has KV
// operations: go vet starts kvlint once for every package, most of which
// have none.
type checker struct {
	source   string
	compiled sync.Once
	keys     *regexp.Regexp // set by the -keys flag, or compiled from source
}

func (c *checker) pattern() *regexp.Regexp {
	c.compiled.Do(func() {
		if c.keys == nil {
			c.keys = regexp.MustCompile(c.source)
		}
	})
	return c.keys
}

func (c *checker) run(pass *analysis.Pass) (any, error) {
	res := &Result{Claimed: make(map[ssa.CallInstruction]bool)}
	model := pass.ResultOf[kvapi.Analyzer].(*kvapi.Result)
	if len(model.Ops) == 0 {
		return res, nil
	}
	res.keys = c.pattern()
	rep := report.New(pass)
	for _, put := range model.InnerFirst() {
		if put.Method.Role != kvapi.Put && put.Method.Role != kvapi.BulkPut || put.InTest() {
			continue
		}
		if model.ReadsInside(put) {
			// The wrapper's own read and write back is kvrace's, inside it;
			// the count is in the update function its caller hands it.
			if update := addsInUpdate(model, put); update != nil {
				res.Claimed[put.Call] = true
				rep.Report(analysis.Diagnostic{
					Pos: put.Pos(), End: put.End(),
					Message: "counter kept in KV: the update function given here adds to the count the wrapper reads from the key, and the wrapper writes the sum back; KV has no atomic increment or compare-and-swap, so concurrent requests overwrite each other (last write wins) and the count runs low under load: keep it in D1 (UPDATE ... SET n = n + 1) or a Durable Object",
					Related: []analysis.RelatedInformation{{Pos: update.Pos(), End: update.Pos(), Message: "the update function"}},
				})
			}
			continue
		}
		inside := countedInside(model, put, res.Claimed)
		reads, read := sameKeyReads(model, put)
		countKey := namesCount(res.keys, model, put)
		for _, src := range put.Sources(kvapi.Value) {
			incr := increment(model, put, src, reads)
			switch {
			case incr != nil && incr.fromRead:
				res.Claimed[put.Call] = true
				// A wrapper of this package that does the arithmetic itself,
				// recordFailure(prev) writing prev+1, is where it counts.
				pos, end := put.Range(read)
				if src.Term != nil && src.Term.Arithmetic() {
					at := model.Inside(put)
					pos, end = at.Pos(), at.End()
				}
				rep.Report(analysis.Diagnostic{
					Pos: pos, End: end,
					Message: "counter kept in KV: this put writes back a count read from the same key and incremented; KV has no atomic increment or compare-and-swap, so concurrent requests overwrite each other (last write wins) and the count runs low under load: keep it in D1 (UPDATE ... SET n = n + 1) or a Durable Object",
					Related: []analysis.RelatedInformation{{Pos: read.Pos(), End: read.Pos(), Message: "the count is read here"}},
				})
			case countKey && (incr != nil || formatsKeptCount(model, put, src)) && !judgedByCallers(model, put, src) && !inside:
				res.Claimed[put.Call] = true
				value := "the value is computed by arithmetic"
				if incr == nil {
					value = "the value is a tally kept before the write"
				}
				rep.Report(analysis.Diagnostic{
					Pos: put.Pos(), End: put.End(),
					Message: "counter kept in KV: the key names a count and " + value + "; every isolate writes its own idea of the count, the last write wins, and other locations see it up to 60 s later: keep counters in D1 (UPDATE ... SET n = n + 1) or a Durable Object",
				})
			case incr != nil && incr.inMemory && writesNumber(model, put, src) && keptAsCount(res.keys, model, put, src) && !judgedByCallers(model, put, src) && !inside:
				res.Claimed[put.Call] = true
				rep.Report(analysis.Diagnostic{
					Pos: put.Pos(), End: put.End(),
					Message: "counter kept in KV: this put writes a count kept in this process's memory; every isolate or instance counts on its own and writes its count over the others' (last write wins), so KV holds one instance's count, not the total: keep counters in D1 (UPDATE ... SET n = n + 1) or a Durable Object",
				})
			default:
				continue
			}
			break
		}
	}
	rep.Finish()
	return res, nil
}

// addsInUpdate returns the update function given to a wrapper that reads
// the key, hands the value to the function and writes back what it
// returns (ns.Update(key, func(cur []byte) ([]byte, error) {...})), when
// the function returns a number it was handed plus or minus something.
func addsInUpdate(model *kvapi.Result, put *kvapi.Op) *ssa.Function {
	for _, src := range put.Sources(kvapi.Value) {
		for _, in := range src.Inputs() {
			fn := kvapi.FuncValue(in)
			if fn == nil || len(fn.Params) == 0 || fn.Signature.Results().Len() == 0 {
				continue
			}
			handed := []ssa.Value{fn.Params[0]}
			for _, ret := range kvapi.Returns(fn) {
				if len(ret.Results) > 0 && model.Backward(ret.Results[0], ret, func(s kvapi.Step) bool {
					bin, ok := s.Value.(*ssa.BinOp)
					return ok && (bin.Op == token.ADD || bin.Op == token.SUB) && isNumber(bin.Type()) && !bumpsVersion(bin) && !positional(bin) &&
						model.DependsOn(bin, ret, handed)
				}) {
					return fn
				}
			}
		}
	}
	return nil
}

// writesNumber reports whether the value src writes is a number, as
// such or formatted as text (strconv.Itoa(n)): the count itself, not a
// document that carries one among other data.
func writesNumber(model *kvapi.Result, put *kvapi.Op, src kvapi.Source) bool {
	return slices.ContainsFunc(src.Inputs(), func(v ssa.Value) bool {
		if isNumber(v.Type()) {
			return true
		}
		return model.Backward(v, put.Call, func(s kvapi.Step) bool {
			call, ok := s.Value.(*ssa.Call)
			if !ok {
				return false
			}
			switch kvapi.CalleeName(call) {
			case "strconv.Itoa", "strconv.FormatInt", "strconv.FormatUint", "strconv.AppendInt", "strconv.AppendUint":
				return true
			}
			return false
		})
	})
}

// inLocalRecord reports whether the value src writes is made from a
// number field of a variable of put's function (rec.Count++ of a record
// decoded here): no count kept in memory from before.
func inLocalRecord(model *kvapi.Result, put *kvapi.Op, src kvapi.Source) bool {
	return slices.ContainsFunc(src.Inputs(), func(v ssa.Value) bool {
		return model.Backward(v, put.Call, func(s kvapi.Step) bool {
			fa, ok := s.Value.(*ssa.FieldAddr)
			if !ok {
				return false
			}
			_, local := fa.X.(*ssa.Alloc)
			return local && isNumber(fa.Type().(*types.Pointer).Elem())
		})
	})
}

// keptAsCount reports whether a number kept in memory and written by put
// is named a count where it is kept or counted: the field or package
// variable that holds it (s.views[board]++), the type whose method writes
// it (HitCounter, exportQuota) or that method itself (countHit). Each
// isolate or instance then writes its own count over the others'.
func keptAsCount(keys *regexp.Regexp, model *kvapi.Result, put *kvapi.Op, src kvapi.Source) bool {
	named := func(name string) bool {
		return slices.ContainsFunc(kvapi.Words(name), func(w string) bool { return countWord(keys, w) || tallyWord().MatchString(w) })
	}
	fn := kvapi.Outermost(put.Call.Parent())
	if named(fn.Name()) {
		return true
	}
	if recv := fn.Signature.Recv(); recv != nil {
		t := recv.Type()
		if p, ok := t.(*types.Pointer); ok {
			t = p.Elem()
		}
		if n, ok := types.Unalias(t).(*types.Named); ok && named(n.Obj().Name()) {
			return true
		}
	}
	// Or the key is named for the field that keeps the count: h.watchers,
	// written under "lot:" + id + ":watchers".
	var keyWords []string
	for _, k := range put.Sources(kvapi.Key) {
		keyWords = append(keyWords, kvapi.Words(model.KeyText(k))...)
	}
	namesKey := func(field string) bool {
		return slices.ContainsFunc(keyWords, func(w string) bool { return strings.EqualFold(w, field) })
	}
	keeps := func(s kvapi.Step) bool {
		switch x := s.Value.(type) {
		case *ssa.FieldAddr:
			field := kvapi.FieldOf(x)
			return field != nil && (named(field.Name()) || namesKey(field.Name()))
		case *ssa.Global:
			return named(x.Name())
		}
		return false
	}
	return slices.ContainsFunc(src.Inputs(), func(v ssa.Value) bool {
		return model.Backward(v, put.Call, func(s kvapi.Step) bool {
			// Or a method of this package that adds and hands back what
			// it keeps: h.bump(id, +1) returning h.watchers[id].
			if call, ok := s.Value.(*ssa.Call); ok {
				if callee := call.Call.StaticCallee(); callee != nil && callee.Pkg == fn.Pkg && len(callee.Blocks) > 0 {
					for _, ret := range kvapi.Returns(callee) {
						if slices.ContainsFunc(ret.Results, func(res ssa.Value) bool { return model.Backward(res, ret, keeps) }) {
							return true
						}
					}
				}
			}
			return keeps(s)
		})
	})
}

// countedInside reports whether put calls a wrapper that keeps the count
// itself, where the count is reported, once (a caller that reads the
// count it passes is a finding of its own): a function of this package
// in which a write was reported (flush(ctx, pending) of counts kept in
// pending), or one that adds what it is given to what it holds, as a
// buffer staging hits does (Record(zone, 1) writing totals[zone] + n).
func countedInside(model *kvapi.Result, put *kvapi.Op, claimed map[ssa.CallInstruction]bool) bool {
	if put.Wrapped == nil {
		return false
	}
	if callee := put.Call.Common().StaticCallee(); callee != nil && callee.Pkg == put.Call.Parent().Pkg {
		for _, role := range []kvapi.Role{kvapi.Put, kvapi.BulkPut} {
			if slices.ContainsFunc(model.OpsIn(callee, role), func(inner *kvapi.Op) bool { return claimed[inner.Call] }) {
				return true
			}
		}
	}
	return slices.ContainsFunc(put.Sources(kvapi.Value), func(src kvapi.Source) bool {
		return src.Term != nil && src.Term.Find(addsToHeld) != nil
	})
}

// addsToHeld reports whether t adds a parameter to what the wrapper
// holds or works out itself, (+ ? $2).
func addsToHeld(t *kvapi.Term) bool {
	if t.Op != kvapi.TermBinOp || t.Tok != token.ADD && t.Tok != token.SUB || len(t.Args) != 2 {
		return false
	}
	held := func(a *kvapi.Term) bool { return a.Op == kvapi.TermOpaque }
	return held(t.Args[0]) && t.Args[1].Params() || held(t.Args[1]) && t.Args[0].Params()
}

// judgedByCallers reports whether the value src is what put's function,
// a wrapper of this package, is given by its callers, whose calls are
// operations in their own right, with no arithmetic of its own:
// setDownloads(ctx, artist, n+1) counts at the call, not inside (where
// noteFailure(ctx, user, n) writing n+1 counts in both).
func judgedByCallers(model *kvapi.Result, put *kvapi.Op, src kvapi.Source) bool {
	fn := put.Call.Parent()
	if !model.DependsOnAny(src.Inputs(), put.Call, numberParams(fn)) {
		return false
	}
	for _, in := range src.Inputs() {
		if model.Backward(in, put.Call, func(s kvapi.Step) bool {
			bin, ok := s.Value.(*ssa.BinOp)
			return ok && bin.Parent() == fn && (bin.Op == token.ADD || bin.Op == token.SUB)
		}) {
			return false
		}
	}
	sites := model.CallSites(fn)
	return len(sites) > 0 && !slices.ContainsFunc(sites, func(site ssa.CallInstruction) bool { return len(model.OpsAt(site)) == 0 })
}

// numberParams returns fn's parameters that are numbers: a count handed
// in, not state held by a receiver.
func numberParams(fn *ssa.Function) []ssa.Value {
	var out []ssa.Value
	for _, p := range fn.Params {
		if isNumber(p.Type()) {
			out = append(out, p)
		}
	}
	return out
}

// sameKeyReads returns the values read by gets of the put's key in the
// put's namespace, and the first such get.
func sameKeyReads(model *kvapi.Result, put *kvapi.Op) ([]ssa.Value, *kvapi.Op) {
	gets := model.GetsOf(put)
	if len(gets) == 0 {
		return nil, nil
	}
	var reads []ssa.Value
	for _, get := range gets {
		reads = append(reads, get.Results()...)
	}
	return reads, gets[0]
}

// namesCount reports whether the operation's key names a count.
func namesCount(keys *regexp.Regexp, model *kvapi.Result, op *kvapi.Op) bool {
	for _, src := range op.Sources(kvapi.Key) {
		for _, word := range kvapi.Words(model.KeyText(src)) {
			if countWord(keys, word) {
				return true
			}
		}
	}
	return false
}

type incrementFound struct {
	fromRead bool
	// inMemory is set for a count kept in this process and added to
	// there: an atomic, or a field or package variable added to.
	inMemory bool
}

// increment finds a count that the written value is computed from: a
// number kept from before — read from KV, or held in a package variable, a
// field, a map or an atomic — plus or minus something. fromRead is set
// when the number comes from one of reads, the gets of the put's key.
// Arithmetic on values just computed (a sum of two database counts) is
// no count kept, and neither is arithmetic on the clock.
func increment(model *kvapi.Result, put *kvapi.Op, src kvapi.Source, reads []ssa.Value) *incrementFound {
	var found *incrementFound
	visit := func(s kvapi.Step) bool {
		if kvapi.AtomicAdd(s.Value) {
			found = &incrementFound{inMemory: true}
			return false
		}
		if sum := summedBefore(s.Value, put); sum != nil && writtenAsText(model, put, src, sum.Type()) && model.DependsOn(sum, put.Call, reads) {
			// new(big.Int).Add(balance, amount) of the balance read, or
			// balance.Sub(balance, amount), written back as its text:
			// the same count as balance+amount.
			found = &incrementFound{fromRead: true}
			return true
		}
		bin, ok := s.Value.(*ssa.BinOp)
		if !ok || (bin.Op != token.ADD && bin.Op != token.SUB) || !isNumber(bin.Type()) || bumpsVersion(bin) || positional(bin) {
			return false
		}
		if model.DependsOn(bin, put.Call, reads) {
			if updatesRecord(model, bin, put, reads) {
				return false
			}
			found = &incrementFound{fromRead: true}
			return true
		}
		if found == nil && carriesState(model, bin, put) && !fromClock(model, bin) {
			found = &incrementFound{}
		}
		return false
	}
	prune := func(s kvapi.Step) bool { return kvapi.SizeOf(s) || kvapi.MapKey(s) }
	for _, v := range src.Inputs() {
		if model.BackwardPruned(v, put.Call, prune, visit) {
			break
		}
	}
	if found == nil && slices.ContainsFunc(src.Inputs(), func(v ssa.Value) bool { return countedInPlace(model, put, v, reads) }) {
		// p.UsesLeft-- on the record read, then the record saved.
		found = &incrementFound{fromRead: true}
	}
	if (found == nil || !found.fromRead) && slices.ContainsFunc(src.Inputs(), func(v ssa.Value) bool { return model.Accumulated(v, put.Call) }) {
		// A count kept in memory, added to in one place and published
		// here; not one a record of this function's holds.
		found = &incrementFound{inMemory: !inLocalRecord(model, put, src)}
	}
	if found == nil && src.Term != nil && addsToParam(src.Term) {
		// A wrapper that adds to what it is given: save(key, n) puts n+1.
		switch in := src.Inputs(); {
		case model.DependsOnAny(in, put.Call, reads):
			found = &incrementFound{fromRead: true}
		case slices.ContainsFunc(in, func(v ssa.Value) bool { return carriesState(model, v, put) }):
			found = &incrementFound{}
		}
	}
	return found
}

// addsNumbers reports whether call is the Add or Sub method of a number
// type that is not a basic one, whose operands and result are all of
// that type: (*big.Int).Add(x, y), decimal.Decimal.Sub(d). Time's Add
// takes a Duration, and is no such sum.
func addsNumbers(call *ssa.Call) bool {
	callee := call.Call.StaticCallee()
	if callee == nil || callee.Signature.Recv() == nil || callee.Name() != "Add" && callee.Name() != "Sub" {
		return false
	}
	sig := callee.Signature
	own := func(t types.Type) bool { return types.Identical(t, sig.Recv().Type()) }
	if sig.Results().Len() != 1 || !own(sig.Results().At(0).Type()) || sig.Params().Len() == 0 {
		return false
	}
	for p := range sig.Params().Variables() {
		if !own(p.Type()) {
			return false
		}
	}
	return true
}

// summedBefore returns v when it is a sum made by addsNumbers, or the
// sum made into v in place before put (balance.Sub(balance, amount),
// its result unused); else nil.
func summedBefore(v ssa.Value, put *kvapi.Op) ssa.Value {
	if call, ok := v.(*ssa.Call); ok && addsNumbers(call) {
		return call
	}
	if v.Referrers() == nil {
		return nil
	}
	for _, ref := range *v.Referrers() {
		call, ok := ref.(*ssa.Call)
		if ok && addsNumbers(call) && call.Call.Args[0] == v && kvapi.Dominates(call, put.Call) {
			return call
		}
	}
	return nil
}

// writtenAsText reports whether the value src writes is the text of a
// value of type t (next.String(), d.StringFixed(2)): the number itself,
// not a record that holds one among other fields.
func writtenAsText(model *kvapi.Result, put *kvapi.Op, src kvapi.Source, t types.Type) bool {
	return slices.ContainsFunc(src.Inputs(), func(v ssa.Value) bool {
		return model.Backward(v, put.Call, func(s kvapi.Step) bool {
			call, ok := s.Value.(*ssa.Call)
			if !ok {
				return false
			}
			callee := call.Call.StaticCallee()
			if callee == nil || callee.Signature.Recv() == nil || !types.Identical(callee.Signature.Recv().Type(), t) || callee.Signature.Results().Len() == 0 {
				return false
			}
			out := callee.Signature.Results().At(0).Type()
			return kvapi.IsString(out) || kvapi.IsBytes(out)
		})
	})
}

// spilledParam returns the parameter that alloc holds, when the function
// keeps a parameter in a variable of its own to take its address (ev.ID
// of ev Event, with &ev.ID); else nil.
func spilledParam(alloc *ssa.Alloc) ssa.Value {
	var param ssa.Value
	for _, ref := range *alloc.Referrers() {
		if st, ok := ref.(*ssa.Store); ok && st.Addr == alloc {
			p, ok := st.Val.(*ssa.Parameter)
			if !ok || param != nil {
				return nil
			}
			param = p
		}
	}
	return param
}

// formatsKeptCount reports whether the value written is a tally kept
// from before, formatted as text: c.Load() of an atomic counter, or
// strconv.Itoa(e.Attempt) of an event that carries a count by name.
// Under a key that names a count, that is the count itself. (A limit
// from configuration is no tally.)
func formatsKeptCount(model *kvapi.Result, put *kvapi.Op, src kvapi.Source) bool {
	tally := func(v ssa.Value) bool {
		return model.Backward(v, put.Call, func(s kvapi.Step) bool {
			switch x := s.Value.(type) {
			case *ssa.Call:
				return isAtomicLoad(x)
			case *ssa.FieldAddr:
				ptr, ok := x.X.Type().Underlying().(*types.Pointer)
				if !ok || !holdsParamOrIs(x.X) {
					return false
				}
				if fields, ok := ptr.Elem().Underlying().(*types.Struct); ok && x.Field < fields.NumFields() {
					return tallyField().MatchString(fields.Field(x.Field).Name())
				}
			case *ssa.Field:
				// e.Attempt of e, ok := evt.(DeliveryFailed): an event
				// handed in.
				if fields, ok := x.X.Type().Underlying().(*types.Struct); ok && x.Field < fields.NumFields() && handedIn(x.X) {
					return tallyField().MatchString(fields.Field(x.Field).Name())
				}
			case *ssa.Range:
				// for partner, n := range t, of type Tally map[string]int:
				// a map whose type names what it keeps.
				named, ok := types.Unalias(x.X.Type()).(*types.Named)
				return ok && tallyType().MatchString(named.Obj().Name()) || tallyCall(x.X)
			}
			return false
		})
	}
	for _, in := range src.Inputs() {
		if model.Backward(in, put.Call, func(s kvapi.Step) bool {
			call, ok := s.Value.(*ssa.Call)
			if !ok || len(call.Call.Args) == 0 {
				return false
			}
			switch kvapi.CalleeName(call) {
			case "strconv.Itoa", "strconv.FormatInt", "strconv.FormatUint":
				return tally(call.Call.Args[0])
			case "strconv.AppendInt", "strconv.AppendUint":
				return len(call.Call.Args) > 1 && tally(call.Call.Args[1])
			}
			return false
		}) {
			return true
		}
	}
	return false
}

// tallyCall reports whether v is what a function named for tallies
// hands back, or a method of a type named for them: counts :=
// r.counter.DrainCounts(), the per-device counts an ingester kept in
// memory since the last flush; views.snapshot() of a viewCounter.
func tallyCall(v ssa.Value) bool {
	call, ok := v.(*ssa.Call)
	if !ok {
		return false
	}
	name, recv := "", types.Type(nil)
	if call.Call.IsInvoke() {
		name, recv = call.Call.Method.Name(), call.Call.Value.Type()
	} else if callee := call.Call.StaticCallee(); callee != nil {
		name = callee.Name()
		if r := callee.Signature.Recv(); r != nil {
			recv = r.Type()
		}
	}
	if p, ok := recv.(*types.Pointer); ok {
		recv = p.Elem()
	}
	// A read-out of all a counter holds, not a method that names
	// something else it keeps (c.Readings()).
	readOut := slices.ContainsFunc(kvapi.Words(name), readOutVerb().MatchString)
	if named, ok := types.Unalias(recv).(*types.Named); ok && readOut {
		if words := kvapi.Words(named.Obj().Name()); len(words) > 0 && tallyHolder().MatchString(words[len(words)-1]) {
			return true // (a viewCounter, not an Account)
		}
	}
	return name != "" && tallyType().MatchString(name)
}

// readOutVerb matches a word of a method's name that reads out what a
// value holds.
var readOutVerb = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)^(snapshot|drain|flush|all|copy|take|collect|dump|swap|reset|pending)$`)
})

// tallyNames are the words that say a value keeps tallies; count and
// counter join them where countWord does not already stand for them.
const tallyNames = `tally|tallies|totals`

// tallyHolder matches the last word of the name of a type that keeps
// tallies.
var tallyHolder = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)^(` + tallyNames + `|counts?|counters?)$`)
})

// tallyWord matches a word, of a name, that says it keeps tallies.
var tallyWord = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)^(` + tallyNames + `|total)$`)
})

// tallyType matches the name of a map type that keeps tallies.
var tallyType = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)(` + tallyNames + `|counts|counters)$`)
})

// tallyField matches the name of a field that holds a tally.
var tallyField = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)(count|attempts?|tries|hits|views|visits|clicks|uses)$`)
})

func isParam(v ssa.Value) bool {
	_, ok := v.(*ssa.Parameter)
	return ok
}

// holdsParamOrIs reports whether addr is a parameter, the local copy of
// one, or a struct one of them embeds: job.Attempt of a job
// *Job[Args] that embeds *JobRow.
func holdsParamOrIs(addr ssa.Value) bool {
	if load, ok := addr.(*ssa.UnOp); ok && load.Op == token.MUL {
		if _, embedsPointer := load.X.(*ssa.FieldAddr); embedsPointer {
			addr = load.X
		}
	}
	if fa, ok := addr.(*ssa.FieldAddr); ok {
		field := kvapi.FieldOf(fa)
		return field != nil && field.Embedded() && holdsParamOrIs(fa.X)
	}
	if alloc, ok := addr.(*ssa.Alloc); ok {
		return holdsParam(alloc)
	}
	return isParam(addr)
}

// handedIn reports whether v is a parameter, or what a type assertion
// of one gives.
func handedIn(v ssa.Value) bool {
	if ex, ok := v.(*ssa.Extract); ok {
		v = ex.Tuple
	}
	if ta, ok := v.(*ssa.TypeAssert); ok {
		v = ta.X
	}
	return isParam(v)
}

// isAtomicLoad reports whether call loads a sync/atomic counter:
// c.Load() of an atomic.Int64, or atomic.LoadInt64(&n).
func isAtomicLoad(call *ssa.Call) bool {
	callee := call.Call.StaticCallee()
	if callee == nil || callee.Object() == nil || callee.Object().Pkg() == nil {
		return false
	}
	return callee.Object().Pkg().Path() == "sync/atomic" && strings.HasPrefix(callee.Name(), "Load")
}

// countedInPlace reports whether v is a pointer to the record read,
// whose numeric field the function adds to or takes from in place
// (p.UsesLeft--), and which is written back whole: a count kept in a
// record. A record whose other fields take this request's data is
// updated in place instead (see updatesRecord).
func countedInPlace(model *kvapi.Result, put *kvapi.Op, v ssa.Value, reads []ssa.Value) bool {
	v = kvapi.Unconverted(v)
	if _, isPtr := v.Type().Underlying().(*types.Pointer); !isPtr || !slices.Contains(reads, v) {
		return false
	}
	for _, ref := range *v.Referrers() {
		fa, ok := ref.(*ssa.FieldAddr)
		if !ok || !isNumber(fa.Type().Underlying().(*types.Pointer).Elem()) {
			continue
		}
		for _, use := range *fa.Referrers() {
			store, ok := use.(*ssa.Store)
			if !ok || store.Addr != fa {
				continue
			}
			bin, ok := store.Val.(*ssa.BinOp)
			if !ok || bin.Op != token.ADD && bin.Op != token.SUB {
				continue
			}
			load, ok := bin.X.(*ssa.UnOp)
			if !ok || load.Op != token.MUL {
				continue
			}
			if same, ok := load.X.(*ssa.FieldAddr); ok && same.X == v && same.Field == fa.Field && !updatesRecord(model, bin, put, reads) {
				return true
			}
		}
	}
	return false
}

// carriesState reports whether v is computed from a value kept from
// before this request: a package variable, a field of something passed
// in, a map element, or a value read from KV. What a query fetched now
// (rows scanned from db.QueryRowContext(ctx, ...)) is this request's,
// whatever client it asked.
func carriesState(model *kvapi.Result, v ssa.Value, put *kvapi.Op) bool {
	fetched := func(s kvapi.Step) bool {
		call, ok := s.Value.(*ssa.Call)
		return ok && slices.ContainsFunc(call.Call.Args, func(a ssa.Value) bool { return kvapi.IsContext(a.Type()) })
	}
	return model.BackwardPruned(v, put.Call, fetched, func(s kvapi.Step) bool {
		switch x := s.Value.(type) {
		case *ssa.Global:
			return true
		case *ssa.Lookup:
			_, isMap := x.X.Type().Underlying().(*types.Map)
			return isMap
		case *ssa.FieldAddr:
			return !isLocal(x.X)
		case *ssa.Call:
			return kvapi.AtomicAdd(x)
		}
		return model.IsRead(s.Value)
	})
}

// isLocal reports whether addr is memory of the function itself, as
// opposed to something passed in or global.
func isLocal(addr ssa.Value) bool {
	for {
		switch a := addr.(type) {
		case *ssa.Alloc:
			// (A struct passed by value lives in a local copy: e.Prior of
			// an event that carries the count its publisher saw is
			// something passed in.)
			return !holdsParam(a) && !decodedInto(a)
		case *ssa.FieldAddr:
			addr = a.X
		case *ssa.IndexAddr:
			addr = a.X
		default:
			return false
		}
	}
}

// holdsParam reports whether alloc is the local copy of a parameter, or
// of what a type assertion of one gives.
// decodedInto reports whether alloc is filled by a decoder, here or in a
// closure that captures it: a verdict an upstream sent back, with the
// count it keeps (verdict.FailedAttempts + 1).
func decodedInto(alloc *ssa.Alloc) bool {
	decodes := func(v ssa.Value) bool {
		return slices.ContainsFunc(*v.Referrers(), func(ref ssa.Instruction) bool {
			mi, ok := ref.(*ssa.MakeInterface)
			return ok && slices.ContainsFunc(*mi.Referrers(), func(use ssa.Instruction) bool {
				call, ok := use.(*ssa.Call)
				if !ok {
					return false
				}
				name := kvapi.CalleeName(call)
				return strings.HasSuffix(name, ".Unmarshal") || strings.HasSuffix(name, ").Decode")
			})
		})
	}
	if decodes(alloc) {
		return true
	}
	for _, ref := range *alloc.Referrers() {
		if mc, ok := ref.(*ssa.MakeClosure); ok {
			for i, b := range mc.Bindings {
				if b == alloc && decodes(mc.Fn.(*ssa.Function).FreeVars[i]) {
					return true
				}
			}
		}
	}
	return false
}

func holdsParam(alloc *ssa.Alloc) bool {
	for _, ref := range *alloc.Referrers() {
		if st, ok := ref.(*ssa.Store); ok && st.Addr == alloc && handedIn(st.Val) {
			return true
		}
	}
	return false
}

// fromClock reports whether v is computed from the time: an expiry such
// as time.Now().Unix() + 60 is arithmetic, but no count.
func fromClock(model *kvapi.Result, v ssa.Value) bool {
	return model.Backward(v, nil, func(s kvapi.Step) bool {
		call, ok := s.Value.(*ssa.Call)
		if !ok {
			return false
		}
		callee := call.Call.StaticCallee()
		return callee != nil && callee.Object() != nil && callee.Object().Pkg() != nil &&
			callee.Object().Pkg().Path() == "time" && callee.Name() == "Now"
	})
}

// addsToParam reports whether a wrapper's Term adds to or subtracts from
// one of the wrapper's parameters.
func addsToParam(t *kvapi.Term) bool {
	if t.Op == kvapi.TermBinOp && (t.Tok == token.ADD || t.Tok == token.SUB) && (t.Name == "int" || t.Name == "float") &&
		slices.ContainsFunc(t.Args, func(a *kvapi.Term) bool { return a.Op == kvapi.TermParam }) {
		return true
	}
	return slices.ContainsFunc(t.Args, addsToParam)
}

// versionField names the field of a record that counts its changes, or
// says how far a workflow has gone: a record whose version is bumped, or
// whose step moves on (a wizard's draft), is state changed in place, a
// race that kvrace reports, not a count.
var versionField = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)^(version|ver|rev|revision|generation|gen|etag|seq|step|stage|phase)$`)
})

// bumpsVersion reports whether bin is stored into a version field.
func bumpsVersion(bin *ssa.BinOp) bool {
	for _, ref := range *bin.Referrers() {
		store, ok := ref.(*ssa.Store)
		if !ok || store.Val != bin {
			continue
		}
		if fa, ok := store.Addr.(*ssa.FieldAddr); ok {
			if st, ok := fa.X.Type().Underlying().(*types.Pointer); ok {
				if s, ok := st.Elem().Underlying().(*types.Struct); ok && versionField().MatchString(s.Field(fa.Field).Name()) {
					return true
				}
			}
		}
	}
	return false
}

// updatesRecord reports whether bin is stored in a field of a record
// whose other fields its function sets to data of this request that
// does not name the key: a workflow whose step index moves on as the
// approver's decision is written into it (step.Decision = d;
// wf.Current++), or a roster that gains a booking as its seats are
// added up, is a record updated in place, a race that kvrace (or
// kvsession) reports, not a count. A usage record that also notes its
// tenant and period, which its key is made of, the time, or other counts
// (cur.Bytes += n) still counts.
func updatesRecord(model *kvapi.Result, bin *ssa.BinOp, put *kvapi.Op, reads []ssa.Value) bool {
	countField := storedField(bin)
	if countField == nil {
		return false
	}
	root := recordRoot(countField)
	written := false // the record is what the put writes, not a copy of the count elsewhere
	for _, src := range put.Sources(kvapi.Value) {
		for _, in := range src.Inputs() {
			written = written || model.Backward(in, put.Call, func(s kvapi.Step) bool { return s.Value == root })
		}
	}
	if !written {
		return false
	}
	var key map[origin]bool
	for _, b := range bin.Parent().Blocks {
		for _, instr := range b.Instrs {
			// A field set (wf.Note = note) or an entry of a map field
			// (s.Answers[q] = a).
			var addr, val ssa.Value
			switch instr := instr.(type) {
			case *ssa.Store:
				if _, isField := instr.Addr.(*ssa.FieldAddr); isField {
					addr, val = instr.Addr, instr.Val
				}
			case *ssa.MapUpdate:
				addr, val = instr.Map, instr.Value
			}
			if val == nil || val == bin || recordRoot(addr) != root || counted(val) {
				continue
			}
			if movedOn(val, root) || setBeside(instr, val, bin) || drawnFresh(val) {
				// The record's other state moves with the count: a due
				// date pushed out from where it was (loan.Due =
				// loan.Due.Add(d)) as renewals are counted, a flag
				// cleared as the wave index moves on (ro.Paused = false).
				return true
			}
			if stampOrDerived(val, countField) {
				continue
			}
			if key == nil {
				key = make(map[origin]bool)
				for _, src := range put.Sources(kvapi.Key) {
					for _, in := range src.Inputs() {
						for o := range requestOrigins(model, in, put.Call) {
							key[o] = true
						}
					}
				}
			}
			for o := range requestOrigins(model, val, put.Call) {
				// A field of what names the key, or all of it.
				if !key[o] && !key[origin{o.param, -1}] {
					return true
				}
			}
		}
	}
	return false
}

// drawnFresh reports whether v is drawn anew (a random token, a new ID):
// a credential rotated as its rotations are counted (cred.Token =
// newToken(); cred.Rotated++) is the record's state changing, not a
// count.
func drawnFresh(v ssa.Value) bool {
	call, ok := kvapi.Unconverted(v).(*ssa.Call)
	return ok && kvapi.Fresh(call) && !kvapi.IsTime(call.Type())
}

// movedOn reports whether v is a time computed from another time the
// record root holds: a date the record moves on from where it was, which
// is its state, not a stamp of this request.
func movedOn(v ssa.Value, root ssa.Value) bool {
	call, ok := v.(*ssa.Call)
	if !ok || !kvapi.IsTime(v.Type()) || len(call.Call.Args) == 0 {
		return false
	}
	from := []ssa.Value{call.Call.Args[0]}
	if phi, ok := from[0].(*ssa.Phi); ok {
		// Moved on from where it was or from now, whichever is later
		// (base := p.ValidTo; if base.Before(now) { base = now }).
		from = phi.Edges
	}
	for _, v := range from {
		if load, ok := v.(*ssa.UnOp); ok && load.Op == token.MUL {
			if fa, ok := load.X.(*ssa.FieldAddr); ok && recordRoot(fa) == root {
				return true
			}
		}
	}
	return false
}

// setBeside reports whether instr, where it sets another field of the
// record, gives it a constant flag or name in the same block that counts
// (ro.Current++; ro.Paused = false): a change of state made whenever the
// count moves, not a threshold reached (if n > max { Blocked = true }).
func setBeside(instr ssa.Instruction, val ssa.Value, bin *ssa.BinOp) bool {
	c, ok := val.(*ssa.Const)
	if !ok || c.Value == nil || instr.Block() != bin.Block() {
		return false
	}
	switch c.Value.Kind() {
	case constant.Bool, constant.String:
		return true
	}
	return false
}

// counted reports whether v is a number added to or taken from, or the
// least or greatest of some: another tally of the same record
// (cur.Bytes += n, run.Best = max(run.Best, score)).
func counted(v ssa.Value) bool {
	if call, ok := v.(*ssa.Call); ok {
		b, ok := call.Call.Value.(*ssa.Builtin)
		return ok && (b.Name() == "min" || b.Name() == "max")
	}
	bin, ok := v.(*ssa.BinOp)
	return ok && (bin.Op == token.ADD || bin.Op == token.SUB) && isNumber(bin.Type())
}

// An origin is a parameter of a function, or a field of one: the event's
// UploadID that names the key is not the event's Error.
type origin struct {
	param ssa.Value
	field int // -1 for the whole parameter
}

// requestOrigins returns the parameters of the function, and the fields
// of them, that v is computed from.
func requestOrigins(model *kvapi.Result, v ssa.Value, sink ssa.Instruction) map[origin]bool {
	out := make(map[origin]bool)
	fieldOfParam := func(s kvapi.Step) bool {
		var x ssa.Value
		var field int
		switch f := s.Value.(type) {
		case *ssa.Field: // ev.Error of ev Event
			x, field = f.X, f.Field
		case *ssa.FieldAddr: // ev.Error of ev *Event
			x, field = f.X, f.Field
		case *ssa.UnOp: // the same, loaded
			fa, ok := f.X.(*ssa.FieldAddr)
			if !ok || f.Op != token.MUL {
				return false
			}
			x, field = fa.X, fa.Field
		default:
			return false
		}
		if alloc, ok := x.(*ssa.Alloc); ok {
			x = spilledParam(alloc) // a parameter the function takes the address of
		}
		switch x.(type) {
		case *ssa.Parameter, *ssa.FreeVar:
			out[origin{x, field}] = true
			return true
		}
		return false
	}
	model.BackwardPruned(v, sink, fieldOfParam, func(s kvapi.Step) bool {
		switch p := s.Value.(type) {
		case *ssa.Parameter, *ssa.FreeVar:
			out[origin{p, -1}] = true
		}
		return false
	})
	return out
}

// storedField returns the field of a record that bin is stored into.
func storedField(bin *ssa.BinOp) *ssa.FieldAddr {
	for _, ref := range *bin.Referrers() {
		if store, ok := ref.(*ssa.Store); ok && store.Val == bin {
			if fa, isField := store.Addr.(*ssa.FieldAddr); isField {
				return fa
			}
		}
	}
	return nil
}

// stampOrDerived reports whether v is computed, in this function and
// not through memory, from a time (a stamp, LockedUntil =
// now.Add(d).Unix()) or from the count itself (Tier =
// TierFor(acct.Points)).
func stampOrDerived(v ssa.Value, count *ssa.FieldAddr) bool {
	return kvapi.ComputedHere(v, func(v ssa.Value) (found, stop bool) {
		t := v.Type()
		if p, ok := t.(*types.Pointer); ok {
			t = p.Elem()
		}
		if kvapi.IsTime(t) {
			return true, true
		}
		if load, ok := v.(*ssa.UnOp); ok && load.Op == token.MUL {
			fa, ok := load.X.(*ssa.FieldAddr)
			return ok && fa.Field == count.Field && recordRoot(fa) == recordRoot(count), true
		}
		return false, false
	})
}

// recordRoot strips the fields and elements off addr: wf of
// &wf.Steps[i].Decision.
func recordRoot(addr ssa.Value) ssa.Value {
	for range 8 {
		switch a := addr.(type) {
		case *ssa.FieldAddr:
			addr = a.X
		case *ssa.IndexAddr:
			addr = a.X
		case *ssa.Field:
			addr = a.X
		case *ssa.UnOp:
			if a.Op != token.MUL {
				return addr
			}
			addr = a.X
		default:
			return addr
		}
	}
	return addr
}

// positional reports whether bin is used only as a position in a
// sequence: a bound of a slice expression, an index, or an argument of
// the standard library's slice and string functions (slices.Delete(xs,
// i, i+1) drops an element; it does not keep a count), perhaps clamped
// or shifted on the way (min(max(pos, 1), len(xs)+1) - 1).
func positional(bin *ssa.BinOp) bool { return positionOnly(bin, 0) }

func positionOnly(v ssa.Value, depth int) bool {
	refs := v.Referrers()
	if refs == nil || len(*refs) == 0 || depth > 4 {
		return false
	}
	for _, ref := range *refs {
		switch ref := ref.(type) {
		case *ssa.Slice, *ssa.DebugRef:
		case *ssa.IndexAddr:
			if ref.Index != v {
				return false
			}
		case *ssa.Index:
			if ref.Index != v {
				return false
			}
		case *ssa.Phi:
			if !positionOnly(ref, depth+1) {
				return false
			}
		case *ssa.BinOp:
			if ref.Op != token.ADD && ref.Op != token.SUB || !positionOnly(ref, depth+1) {
				return false
			}
		case *ssa.Call:
			if b, ok := ref.Call.Value.(*ssa.Builtin); ok && (b.Name() == "min" || b.Name() == "max") {
				if !positionOnly(ref, depth+1) {
					return false
				}
				continue
			}
			fn := ref.Call.StaticCallee()
			if fn == nil || fn.Object() == nil || fn.Object().Pkg() == nil {
				return false
			}
			switch fn.Object().Pkg().Path() {
			case "slices", "strings", "bytes":
			default:
				return false
			}
		default:
			return false
		}
	}
	return true
}

// isNumber reports whether t is a number, or a type parameter that can
// only be one (N ~int64).
func isNumber(t types.Type) bool {
	if tp, ok := types.Unalias(t).(*types.TypeParam); ok {
		return numericSet(tp.Constraint(), 0)
	}
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Info()&types.IsNumeric != 0
}

// numericSet reports whether every type a constraint allows is a number.
func numericSet(t types.Type, depth int) bool {
	if depth > 4 {
		return false
	}
	switch u := t.Underlying().(type) {
	case *types.Basic:
		return u.Info()&types.IsNumeric != 0
	case *types.Union:
		for term := range u.Terms() {
			if !numericSet(term.Type(), depth+1) {
				return false
			}
		}
		return u.Len() > 0
	case *types.Interface:
		for e := range u.EmbeddedTypes() {
			if numericSet(e, depth+1) {
				return true // one numeric term set is enough: the set is their intersection
			}
		}
	}
	return false
}
