package kvlist

import (
	_ "embed"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"maps"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/kvlint/kvlint/analyzers/internal/analysisdoc"
	"github.com/kvlint/kvlint/analyzers/internal/report"
	"github.com/kvlint/kvlint/analyzers/kvapi"
)

//go:embed doc.go
var doc string

// Analyzer reports unbounded, truncated and N+1 KV listings.
var Analyzer = &analysis.Analyzer{
	Name:      "kvlist",
	Doc:       analysisdoc.Extract(doc, "kvlist"),
	URL:       "https://github.com/kvlint/kvlint/blob/main/docs/kvlist.md",
	Requires:  []*analysis.Analyzer{kvapi.Analyzer},
	Run:       run,
	FactTypes: []analysis.Fact{new(reportedFact), new(iteratorFact), new(pagerFact), new(cursorBudgetFact)},
}

// pageSize is the most keys a list returns; a Limit below it asks for
// one page on purpose.
const pageSize = 1000

const (
	unboundedMsg = "unbounded listing: this loop follows the cursor until the list is complete, with no page or key budget, deadline or early exit, so its time, memory and billed list operations grow with the namespace (and a Worker may make only 1,000 KV operations per invocation): stop after a budget of pages or keys, or keep an index in D1"
	emptyPageMsg = "this loop stops at the first empty page, but a KV list page can be empty while more keys follow: loop until list_complete (or the cursor is empty) instead"
	firstPageMsg = "only the first page of this list is used: KV returns at most 1,000 keys a page, and the cursor and list_complete are never looked at, so keys past the first page are silently missed: follow the cursor, or return it to the caller"
	noPrefixMsg  = "this list passes a cursor but leaves out the Prefix the listing started with: KV needs the prefix on every page, so from here the pages are no longer filtered and the loop walks keys outside it: pass the same Prefix with each cursor"
	nPlusOneMsg  = "one get per listed key (N+1): each costs a KV read and a round trip, and a Worker may make only 1,000 KV operations per invocation; put small values in the keys' metadata, which the list returns, or use a bulk get"
)

// reportedFact marks a function in which kvlist reported an operation,
// so that its callers are not told again.
type reportedFact struct{}

func (*reportedFact) AFact()             {}
func (*reportedFact) String() string     { return "kvlist" }
func (*reportedFact) ReportedBy() string { return "kvlist" }

// pagerFact marks a function that follows the cursor of its list in a
// loop with a budget of its own (ListKeys(ctx, prefix, maxPages) returning
// the keys and where it stopped): a caller that drops the cursor it
// returns stops at that budget, not at the first page.
type pagerFact struct{}

func (*pagerFact) AFact()         {}
func (*pagerFact) String() string { return "kvlist pager" }

// cursorBudgetFact marks a method of a pull cursor that refuses to list
// once a count kept in its receiver reaches a budget (if c.seen >=
// c.budget { return false }; ...; c.seen++): a caller's for c.Next()
// loop ends there, whatever the listing holds.
type cursorBudgetFact struct{}

func (*cursorBudgetFact) AFact()         {}
func (*cursorBudgetFact) String() string { return "kvlist cursor with a budget" }

// iteratorFact marks a function that hands listed keys to a callback or
// to the body of a range over the iterator it returns (iter.Seq2), page
// after page until the listing ends, unless the callback or the body
// stops it: whether that loop is bounded is its caller's to say. A
// Budgeted one also stops at a page budget of its own (a query builder's
// Pages(3)): bounded, but its callback still gets every key it lists.
type iteratorFact struct{ Budgeted bool }

func (*iteratorFact) AFact() {}

// IteratorBudgeted lets the kvlint command find storage ports whose
// implementations are such iterators (see kvapi.Interfaces.Discover).
func (f *iteratorFact) IteratorBudgeted() bool { return f.Budgeted }
func (f *iteratorFact) String() string {
	if f.Budgeted {
		return "kvlist iterator, budgeted"
	}
	return "kvlist iterator"
}

func run(pass *analysis.Pass) (any, error) {
	model := pass.ResultOf[kvapi.Analyzer].(*kvapi.Result)
	if len(model.Funcs()) == 0 {
		return nil, nil // a range over another package's listing iterator is no operation here
	}
	rep := report.New(pass)
	reported := func(op *kvapi.Op, msg string) {
		rep.Report(analysis.Diagnostic{Pos: op.Pos(), End: op.End(), Message: msg})
		if fn, ok := kvapi.Outermost(op.Call.Parent()).Object().(*types.Func); ok {
			pass.ExportObjectFact(fn, new(reportedFact))
		}
	}
	var listed, read []ssa.Value // what the package's lists and gets hand back
	for _, op := range model.Ops {
		switch op.Method.Role {
		case kvapi.List:
			listed = append(listed, op.Results()...)
		case kvapi.Get, kvapi.BulkGet:
			read = append(read, op.Results()...)
		}
	}
	for _, op := range model.Ops {
		if fn := kvapi.Outermost(op.Call.Parent()); op.Method.Role == kvapi.List && countsToBudget(fn, op.Call.Block()) {
			if obj, ok := fn.Object().(*types.Func); ok {
				pass.ExportObjectFact(obj, new(cursorBudgetFact))
			}
		}
	}
	loops := make(map[*kvapi.Op]loopKind)
	for _, op := range model.InnerFirst() {
		if op.Method.Role != kvapi.List || op.InTest() {
			continue // a test's listing walks a fake's few keys
		}
		loops[op] = pagination(pass, model, op, op.Results())
		if fn, ok := kvapi.Outermost(op.Call.Parent()).Object().(*types.Func); ok && loops[op] == bounded && keysAndCursor(fn.Signature()) {
			pass.ExportObjectFact(fn, new(pagerFact))
		}
	}
	for _, op := range model.Ops {
		if op.Method.Role != kvapi.List || op.InTest() {
			continue // a test's listing walks a fake's few keys
		}
		results := op.Results()
		if model.ReportedInside(pass, op, new(reportedFact)) {
			continue
		}
		loop := loops[op]
		if byCallback, budgeted := callbackStops(model, op, results); loop == bounded && byCallback {
			if fn, ok := kvapi.Outermost(op.Call.Parent()).Object().(*types.Func); ok {
				pass.ExportObjectFact(fn, &iteratorFact{Budgeted: budgeted})
			}
		}
		switch {
		case cursorWithoutPrefix(model, op, listed):
			reported(op, noPrefixMsg)
		case loop == emptyPageExit:
			reported(op, emptyPageMsg)
		case loop == unbounded:
			reported(op, unboundedMsg)
		case loop == noLoop && (op.Wrapped == nil || returnsPage(op) || returnsCursor(op)) && !pagesItself(pass, op) && firstPageOnly(model, op, results):
			reported(op, firstPageMsg)
		}
	}
	// A range over a listing iterator, or a callback given to one: the
	// keys it is handed are listed, and it bounds the listing only if it
	// can stop it.
	exportForwarders(pass, model)
	for _, use := range iteratorUses(pass, model) {
		if model.InTestFile(use.call.Pos()) {
			continue // a test's range walks a fake's few keys
		}
		for _, p := range use.body.Params {
			listed = append(listed, p)
		}
		if !use.budgeted && !stops(use.body) {
			rep.Report(analysis.Diagnostic{Pos: use.call.Pos(), End: use.call.Pos(), Message: unboundedMsg})
			if fn, ok := kvapi.Outermost(use.call.Parent()).Object().(*types.Func); ok {
				pass.ExportObjectFact(fn, new(reportedFact))
			}
		}
	}
	// next, stop := iter.Pull2(store.Pages(ctx, prefix)): what next
	// returns is listed, and the loop that calls it pages through.
	for _, pull := range pullUses(pass, model) {
		listed = append(listed, pull.results...)
		if model.InTestFile(pull.call.Pos()) || pull.budgeted {
			continue
		}
		var loops []kvapi.Loop
		for _, next := range pull.nexts {
			if loop := kvapi.Innermost(next.Block()); loop != nil {
				loops = append(loops, loop)
			}
		}
		if classify(pass, model, nil, loops, pull.results) == unbounded {
			rep.Report(analysis.Diagnostic{Pos: pull.call.Pos(), Message: unboundedMsg})
			if fn, ok := kvapi.Outermost(pull.call.Parent()).Object().(*types.Func); ok {
				pass.ExportObjectFact(fn, new(reportedFact))
			}
		}
	}
	// One report per loop: its first get of a listed key. What gets read,
	// and the groups the listed keys are sorted into, are no listed keys.
	notListed := append(slices.Clone(read), groupKeys(model.Funcs())...)
	perLoop := make(map[any]bool)
	for _, op := range model.InnerFirst() {
		if op.Method.Role != kvapi.Get || op.InTest() || model.ReportedInside(pass, op, new(reportedFact)) {
			continue
		}
		if loop := perKey(model, op, listed, notListed, read); loop != nil && !perLoop[loop] {
			perLoop[loop] = true
			reported(op, nPlusOneMsg)
		}
	}
	rep.Finish()
	return nil, nil
}

// keysAndCursor reports whether a function of signature sig returns keys
// and a cursor or a flag, as a page does.
func keysAndCursor(sig *types.Signature) bool {
	res := sig.Results()
	has := func(kind func(types.Type) bool) bool {
		for i := range res.Len() {
			if kind(res.At(i).Type()) {
				return true
			}
		}
		return false
	}
	return has(cursorLike) && has(func(t types.Type) bool { _, ok := t.Underlying().(*types.Slice); return ok })
}

// pagesItself reports whether op calls a wrapper that follows the
// cursor itself, up to a budget (see pagerFact).
func pagesItself(pass *analysis.Pass, op *kvapi.Op) bool {
	return op.Wrapper != nil && pass.ImportObjectFact(op.Wrapper.Origin(), new(pagerFact))
}

// A loopKind says how a listing is paged through.
type loopKind int

const (
	noLoop        loopKind = iota
	bounded                // a loop with a budget, a deadline or an early exit
	unbounded              // a loop that only ends when the listing does
	emptyPageExit          // a loop that ends at an empty page
)

// pagination classifies the loops that page through the list op: the
// loop around the call, or a loop whose exit depends on what it returned
// (an auto-pager's Next). A loop is bounded when one of its exits depends
// on something besides the listing and its errors.
func pagination(pass *analysis.Pass, model *kvapi.Result, op *kvapi.Op, results []ssa.Value) loopKind {
	kind := classify(pass, model, op, pagingLoops(model, op, results), results)
	if kind == noLoop && (recursesOnCursor(model, op, results) || pagedByRunner(model, op, results)) {
		return unbounded
	}
	return kind
}

// pagedByRunner reports whether op is in a closure that a runner calls
// on each run of its loop (a stream source's next function, a visitor),
// which takes its cursor from a variable it captures and sets that
// variable to the page's cursor: each call lists the next page, until
// the listing ends. A closure that also sets something else it captures
// may keep a budget there (pages++), and is given the benefit of the
// doubt.
func pagedByRunner(model *kvapi.Result, op *kvapi.Op, results []ssa.Value) bool {
	fn := op.Call.Parent()
	if fn.Parent() == nil {
		return false
	}
	var carried, others int // captured variables set here: the cursor, and any other
	for _, fv := range fn.FreeVars {
		var stores []*ssa.Store
		for _, ref := range *fv.Referrers() {
			if st, ok := ref.(*ssa.Store); ok && st.Addr == fv {
				stores = append(stores, st)
			}
		}
		if len(stores) == 0 {
			continue
		}
		cursorFrom := slices.ContainsFunc(op.Sources(kvapi.Cursor), func(src kvapi.Source) bool {
			return model.DependsOnAny(src.Inputs(), op.Call, []ssa.Value{fv})
		})
		fromPage := slices.ContainsFunc(stores, func(st *ssa.Store) bool { return model.DependsOn(st.Val, st, results) })
		if cursorFrom && fromPage {
			carried++
		} else {
			others++
		}
	}
	if carried == 0 || others > 0 {
		return false
	}
	if model.CalledPerElementLater(fn) {
		return true
	}
	return slices.ContainsFunc(model.RunSites(fn), func(call ssa.CallInstruction) bool { return model.RunsEach(call, fn) })
}

// classify is how the loops page through the listing that results come
// from, op's (nil for a pull iterator's).
func classify(pass *analysis.Pass, model *kvapi.Result, op *kvapi.Op, loops []kvapi.Loop, results []ssa.Value) loopKind {
	kind := noLoop
	for _, loop := range loops {
		exits := exitConds(loop)
		this := unbounded
		for _, c := range exits {
			switch {
			case callsCallback(c.cond) && stopProtocol(c.cond):
				// Ends when a callback says so (fn(k) returning ErrStop):
				// whether it ever does is for each caller's callback. (A
				// callback's error merely passed on is a failure.)
				if this == unbounded {
					this = bounded
				}
			case isErrorCheck(c.cond) || classifiesError(c.cond) || leftOnErrorFromRangeFunc(c.cond):
				// Ends the loop on a failure: no budget.
			case emptyPage(model, c, results):
				this = max(this, emptyPageExit)
			case keysFound(model, c, results):
				// Fetches until a page has keys to give (a pull cursor's
				// refill): how far to page is for its caller.
				if this == unbounded {
					this = bounded
				}
			case listingEnds(model, c.cond, results) && op != nil && budgetedCursor(pass, op):
				// for c.Next(): ends when the listing does, or when the
				// cursor's budget does.
				if this == unbounded {
					this = bounded
				}
			case listingEnds(model, c.cond, results):
				// Ends when the listing does.
			default:
				if this == unbounded {
					this = bounded
				}
			}
		}
		kind = max(kind, this)
	}
	return kind
}

// pagingLoops returns the loops that page through op: those around the
// call, and those that advance the auto-pager it returned. (A loop over
// one page's keys, or about something else, is not one.)
func pagingLoops(model *kvapi.Result, op *kvapi.Op, results []ssa.Value) []kvapi.Loop {
	var loops []kvapi.Loop
	if inner := kvapi.Innermost(op.Call.Block()); inner != nil && !neverPassesCursor(op) {
		loops = append(loops, inner)
	}
	for _, loop := range kvapi.Loops(op.Call.Parent()) {
		if !loop[op.Call.Block()] && advancesPager(model, loop, results) {
			loops = append(loops, loop)
		}
	}
	return loops
}

// neverPassesCursor reports whether op, a list of the SDK's that takes
// a cursor, is given none: in a loop over cells or prefixes, each run
// lists a first page.
func neverPassesCursor(op *kvapi.Op) bool {
	if op.Wrapped != nil {
		// A function that lists a first page itself, whatever it is
		// given (RevokeAll listing a prefix from ""), called in a loop
		// over messages.
		srcs := op.Sources(kvapi.Cursor)
		return len(srcs) > 0 && !slices.ContainsFunc(srcs, func(src kvapi.Source) bool {
			return src.Term == nil || !emptyTerm(src.Term)
		})
	}
	if _, takes := op.Method.Operands[kvapi.Cursor]; !takes {
		return false
	}
	for _, src := range op.Sources(kvapi.Cursor) {
		c, ok := src.Value.(*ssa.Const)
		if !ok || src.Term != nil || c.Value != nil && (c.Value.Kind() != constant.String || constant.StringVal(c.Value) != "") {
			return false
		}
	}
	return true
}

// emptyTerm reports whether t is "" on every way it can go.
func emptyTerm(t *kvapi.Term) bool {
	switch t.Op {
	case kvapi.TermConst:
		return t.Value == `""`
	case kvapi.TermPhi, kvapi.TermConvert:
		return len(t.Args) > 0 && !slices.ContainsFunc(t.Args, func(a *kvapi.Term) bool { return !emptyTerm(a) })
	}
	return false
}

// advancesPager reports whether loop asks what the list returned for its
// next page: an auto-pager's Next.
func advancesPager(model *kvapi.Result, loop kvapi.Loop, results []ssa.Value) bool {
	for b := range loop {
		for _, instr := range b.Instrs {
			call, ok := instr.(*ssa.Call)
			if !ok || len(call.Call.Args) == 0 && !call.Call.IsInvoke() {
				continue
			}
			name, recv := "", ssa.Value(nil)
			if call.Call.IsInvoke() {
				name, recv = call.Call.Method.Name(), call.Call.Value
			} else if callee := call.Call.StaticCallee(); callee != nil && callee.Signature.Recv() != nil {
				name, recv = callee.Name(), call.Call.Args[0]
			}
			if (name == "Next" || name == "GetNextPage") && model.DependsOn(recv, nil, results) {
				return true
			}
		}
	}
	return false
}

// An exit is a condition that leaves a loop, and whether the loop is left
// when it holds.
type exit struct {
	cond  ssa.Value
	leave bool
}

// exitConds returns the conditions on which control leaves loop.
func exitConds(loop kvapi.Loop) []exit {
	var out []exit
	for b := range loop {
		br, ok := b.Instrs[len(b.Instrs)-1].(*ssa.If)
		if !ok {
			continue
		}
		if !loop[b.Succs[0]] {
			out = append(out, exit{br.Cond, true})
		} else if !loop[b.Succs[1]] {
			out = append(out, exit{br.Cond, false})
		}
	}
	return out
}

// isErrorCheck reports whether cond compares an error with nil.
func isErrorCheck(cond ssa.Value) bool {
	bin, ok := cond.(*ssa.BinOp)
	if !ok || bin.Op != token.EQL && bin.Op != token.NEQ {
		return false
	}
	err := bin.X
	if kvapi.IsNil(err) {
		err = bin.Y
	}
	if call, ok := err.(*ssa.Call); ok && call.Call.IsInvoke() && call.Call.Method.Name() == "Err" && call.Call.Method.Pkg() != nil && call.Call.Method.Pkg().Path() == "context" {
		// A loop that runs while the context lives (for ctx.Err() ==
		// nil), or a context given a deadline here, is bounded by it;
		// giving up with the error of one passed in only notices a
		// cancellation.
		return !withDeadline(call.Call.Value) && slices.ContainsFunc(*call.Referrers(), func(ref ssa.Instruction) bool {
			_, debug := ref.(*ssa.DebugRef)
			return !debug && ref != ssa.Instruction(bin)
		})
	}
	return kvapi.IsError(err.Type()) && (kvapi.IsNil(bin.X) || kvapi.IsNil(bin.Y))
}

// classifiesError reports whether cond asks a question of an error and
// of nothing else that varies, a sentinel or a type to compare it with
// (errors.Is(err, ErrNotFound), IsNotFound(err)): a loop left on its
// answer is left on a failure.
func classifiesError(cond ssa.Value) bool {
	call, ok := cond.(*ssa.Call)
	if !ok || call.Call.IsInvoke() || !kvapi.IsBool(call.Type()) || len(call.Call.Args) == 0 || !kvapi.IsError(call.Call.Args[0].Type()) {
		return false
	}
	for _, arg := range call.Call.Args[1:] {
		switch arg := arg.(type) {
		case *ssa.Const, *ssa.Global, *ssa.Alloc: // errors.As(err, &target)
		case *ssa.UnOp:
			if _, global := arg.X.(*ssa.Global); !global {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// leftOnErrorFromRangeFunc reports whether cond tests how the body of a
// range over a function ended (the jump state that SSA keeps for it), and
// that body leaves the loop around it only where an error was found:
// for batch := range slices.Chunk(names, 100) { if err != nil { return err } }.
func leftOnErrorFromRangeFunc(cond ssa.Value) bool {
	bin, ok := cond.(*ssa.BinOp)
	if !ok {
		return false
	}
	load, ok := bin.X.(*ssa.UnOp)
	if !ok || load.Op != token.MUL {
		return false
	}
	state, ok := load.X.(*ssa.Alloc)
	if !ok || !strings.HasPrefix(state.Comment, "jump$") {
		return false
	}
	exits := 0
	for _, ref := range *state.Referrers() {
		mc, ok := ref.(*ssa.MakeClosure)
		if !ok {
			continue
		}
		body := mc.Fn.(*ssa.Function)
		for i, b := range mc.Bindings {
			if b != ssa.Value(state) || i >= len(body.FreeVars) {
				continue
			}
			for _, use := range *body.FreeVars[i].Referrers() {
				st, ok := use.(*ssa.Store)
				if !ok {
					continue
				}
				if c, ok := st.Val.(*ssa.Const); ok && c.Int64() > 0 {
					if !onErrorPath(st.Block()) {
						return false // a return or break of the body's own choosing
					}
					exits++
				}
			}
		}
	}
	return exits > 0
}

// withDeadline reports whether ctx was made here by context.WithTimeout
// or context.WithDeadline.
func withDeadline(ctx ssa.Value) bool {
	if fv, ok := ctx.(*ssa.FreeVar); ok {
		ctx = kvapi.Binding(fv)
	}
	ext, ok := ctx.(*ssa.Extract)
	if !ok {
		return false
	}
	call, ok := ext.Tuple.(*ssa.Call)
	if !ok || call.Call.StaticCallee() == nil || call.Call.StaticCallee().Pkg == nil {
		return false
	}
	callee := call.Call.StaticCallee()
	return callee.Pkg.Pkg.Path() == "context" && (callee.Name() == "WithTimeout" || callee.Name() == "WithDeadline" || callee.Name() == "WithTimeoutCause" || callee.Name() == "WithDeadlineCause")
}

// listingEnds reports whether cond tests whether the listing is over:
// the cursor compared with "", list_complete, an auto-pager's Next. A
// test of anything else computed from the keys (a callback's answer, a
// count against a budget) is an early exit.
func listingEnds(model *kvapi.Result, cond ssa.Value, results []ssa.Value) bool {
	if not, ok := cond.(*ssa.UnOp); ok && not.Op == token.NOT {
		cond = not.X
	}
	if !model.DependsOn(cond, nil, results) {
		return false
	}
	switch c := cond.(type) {
	case *ssa.Call:
		name, args := "", len(c.Call.Args)
		if c.Call.IsInvoke() {
			name = c.Call.Method.Name()
		} else if callee := c.Call.StaticCallee(); callee != nil && callee.Signature.Recv() != nil {
			name, args = callee.Name(), args-1
		}
		// A page's own question with nothing else to go on, page.Done()
		// or page.Last(), is about the cursor; a callback asks about keys.
		return cursorFields[name] || name != "" && args == 0
	case *ssa.BinOp:
		return (c.Op == token.EQL || c.Op == token.NEQ) && !isErrorCheck(c) && !countedTo(c)
	}
	return true // a field: ListComplete
}

// countedTo reports whether bin compares how many keys were gathered
// with a number not known here: len(out) == budget is a budget.
func countedTo(bin *ssa.BinOp) bool {
	for _, pair := range [][2]ssa.Value{{bin.X, bin.Y}, {bin.Y, bin.X}} {
		call, ok := pair[0].(*ssa.Call)
		if _, isConst := pair[1].(*ssa.Const); ok && !isConst && kvapi.IsLen(call) && !isString(call.Call.Args[0].Type()) {
			return true
		}
	}
	return false
}

// emptyPage reports whether c leaves the loop when a page listed no keys:
// len(res.Keys) == 0.
func emptyPage(model *kvapi.Result, c exit, results []ssa.Value) bool {
	bin, ok := c.cond.(*ssa.BinOp)
	if !ok {
		return false
	}
	for i, pair := range [][2]ssa.Value{{bin.X, bin.Y}, {bin.Y, bin.X}} {
		call, ok := pair[0].(*ssa.Call)
		n, isConst := pair[1].(*ssa.Const)
		if !ok || !isConst || n.Value == nil || n.Value.Kind() != constant.Int || !kvapi.IsLen(call) || isString(call.Call.Args[0].Type()) {
			continue // (len(resp.Cursor) == 0 is the listing's end)
		}
		op := bin.Op
		if i == 1 {
			op = mirrored[op] // 0 < len(keys) is len(keys) > 0
		}
		empty, nonEmpty := emptyTest(op, n.Value)
		if (empty && c.leave || nonEmpty && !c.leave) && model.DependsOn(call, nil, results) {
			return true
		}
	}
	return false
}

// emptyTest says whether len(keys) op n is true exactly when no keys were
// listed (== 0, <= 0, < 1), or exactly when some were (!= 0, > 0, >= 1).
func emptyTest(op token.Token, n constant.Value) (empty, nonEmpty bool) {
	zero, one := constant.Sign(n) == 0, constant.Compare(n, token.EQL, constant.MakeInt64(1))
	switch {
	case op == token.EQL && zero, op == token.LEQ && zero, op == token.LSS && one:
		return true, false
	case op == token.NEQ && zero, op == token.GTR && zero, op == token.GEQ && one:
		return false, true
	}
	return false, false
}

// budgetedCursor reports whether op calls a method of a pull cursor that
// stops at a budget of its own (see cursorBudgetFact).
func budgetedCursor(pass *analysis.Pass, op *kvapi.Op) bool {
	if op.Wrapper == nil {
		return false
	}
	return pass.ImportObjectFact(op.Wrapper.Origin(), new(cursorBudgetFact))
}

// countsToBudget reports whether fn, a method, returns before block at
// (where it lists) when a count kept in a field of its receiver has
// reached a bound, and changes that count itself: c.budget <= 0 with
// c.budget--, or c.seen >= c.budget with c.seen++.
func countsToBudget(fn *ssa.Function, at *ssa.BasicBlock) bool {
	if fn.Signature.Recv() == nil || len(fn.Params) == 0 {
		return false
	}
	recv := fn.Params[0]
	counted := make(map[int]bool) // the receiver's fields fn adds to or takes from
	field := func(v ssa.Value) (int, bool) {
		ld, ok := v.(*ssa.UnOp)
		if !ok || ld.Op != token.MUL {
			return 0, false
		}
		fa, ok := ld.X.(*ssa.FieldAddr)
		if !ok || fa.X != recv {
			return 0, false
		}
		return fa.Field, true
	}
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			st, ok := instr.(*ssa.Store)
			if !ok {
				continue
			}
			fa, ok := st.Addr.(*ssa.FieldAddr)
			bin, isBin := st.Val.(*ssa.BinOp)
			if !ok || fa.X != recv || !isBin || bin.Op != token.ADD && bin.Op != token.SUB {
				continue
			}
			if f, ok := field(bin.X); ok && f == fa.Field {
				counted[f] = true
			}
		}
	}
	for _, b := range fn.Blocks {
		br, ok := b.Instrs[len(b.Instrs)-1].(*ssa.If)
		if !ok || !b.Dominates(at) {
			continue
		}
		cmp, ok := br.Cond.(*ssa.BinOp)
		if !ok || cmp.Op != token.LSS && cmp.Op != token.LEQ && cmp.Op != token.GTR && cmp.Op != token.GEQ {
			continue
		}
		// The count against a number or another field: c.i >= len(c.page)
		// is a place in the page, not a budget.
		fx, okx := field(cmp.X)
		fy, oky := field(cmp.Y)
		bound := func(v ssa.Value) bool {
			_, isConst := v.(*ssa.Const)
			_, isField := field(v)
			return isConst || isField
		}
		reaches := func(s *ssa.BasicBlock) bool { return s == at || kvapi.Reaches(s, at) }
		if (okx && counted[fx] && bound(cmp.Y) || oky && counted[fy] && bound(cmp.X)) && reaches(b.Succs[0]) != reaches(b.Succs[1]) {
			return true
		}
	}
	return false
}

// keysFound reports whether the loop is left when a page holds keys, as
// for len(c.buf) == 0 { ... } and for c.i >= len(c.page) { ... } are.
func keysFound(model *kvapi.Result, c exit, results []ssa.Value) bool {
	bin, ok := c.cond.(*ssa.BinOp)
	if !ok {
		return false
	}
	op := bin.Op
	if !c.leave {
		op = negated[op]
	}
	for i, side := range []ssa.Value{bin.X, bin.Y} {
		call, ok := side.(*ssa.Call)
		if !ok || !kvapi.IsLen(call) || isString(call.Call.Args[0].Type()) || !model.DependsOn(call, nil, results) {
			continue
		}
		leaveWhen := op // len(page) leaveWhen other
		if i == 1 {
			leaveWhen = mirrored[op]
		}
		other := []ssa.Value{bin.Y, bin.X}[i]
		zero, isConst := other.(*ssa.Const)
		return leaveWhen == token.GTR || leaveWhen == token.GEQ && !(isConst && zero.Value != nil && constant.Sign(zero.Value) == 0) ||
			leaveWhen == token.NEQ && isConst && zero.Value != nil && constant.Sign(zero.Value) == 0
	}
	return false
}

var (
	negated  = map[token.Token]token.Token{token.EQL: token.NEQ, token.NEQ: token.EQL, token.LSS: token.GEQ, token.GEQ: token.LSS, token.GTR: token.LEQ, token.LEQ: token.GTR}
	mirrored = map[token.Token]token.Token{token.EQL: token.EQL, token.NEQ: token.NEQ, token.LSS: token.GTR, token.GTR: token.LSS, token.LEQ: token.GEQ, token.GEQ: token.LEQ}
)

// recursesOnCursor reports whether the list op's function calls itself
// with the cursor the list returned: recursion over pages, with no
// budget. A recursion that counts a parameter down or up (pagesLeft-1,
// depth+1) is bounded by it, and one that passes on a listed key rather
// than the cursor (a walk down a tree of prefixes), or that lists with no
// cursor at all, pages nothing.
func recursesOnCursor(model *kvapi.Result, op *kvapi.Op, results []ssa.Value) bool {
	fn := kvapi.Outermost(op.Call.Parent())
	cursors := make(map[int]bool) // the parameters that the op's cursor comes from
	for i, p := range fn.Params {
		cursors[i] = slices.ContainsFunc(op.Sources(kvapi.Cursor), func(src kvapi.Source) bool {
			return model.DependsOnAny(src.Inputs(), op.Call, []ssa.Value{p})
		})
	}
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			call, ok := instr.(*ssa.Call)
			if !ok || call.Call.StaticCallee() != fn || countsParam(call, fn) {
				continue
			}
			for i, arg := range call.Call.Args {
				if cursors[i] && model.DependsOn(arg, call, results) {
					return true
				}
			}
		}
	}
	return false
}

// countsParam reports whether call, of fn by itself, passes one of fn's
// numeric parameters on with one added or taken away: a budget.
func countsParam(call *ssa.Call, fn *ssa.Function) bool {
	return slices.ContainsFunc(call.Call.Args, func(arg ssa.Value) bool {
		bin, ok := arg.(*ssa.BinOp)
		if !ok || bin.Op != token.ADD && bin.Op != token.SUB {
			return false
		}
		p, ok := bin.X.(*ssa.Parameter)
		if !ok || p.Parent() != fn {
			return false
		}
		b, ok := p.Type().Underlying().(*types.Basic)
		return ok && b.Info()&types.IsNumeric != 0
	})
}

// cursorWithoutPrefix reports whether the list passes a cursor that a
// list returned in options written without a Prefix, where its listing
// is filtered by one (given to this list in other options, or to another
// list of its function): the next pages leave the prefix (KV-FACTS §4,
// "the prefix argument must be provided in all subsequent calls").
func cursorWithoutPrefix(model *kvapi.Result, op *kvapi.Op, listed []ssa.Value) bool {
	filtered := false
	for _, list := range model.OpsIn(op.Call.Parent(), kvapi.List) {
		for _, src := range list.Sources(kvapi.Prefix) {
			filtered = filtered || !emptyString(model, src)
		}
	}
	if !filtered {
		return false
	}
	prefixField := op.OperandField(kvapi.Prefix)
	prefixes := op.Sources(kvapi.Prefix)
	for _, src := range op.Sources(kvapi.Cursor) {
		if !model.DependsOnAny(src.Inputs(), op.Call, listed) {
			continue
		}
		if prefixOnOtherBranch(model, op, src) {
			return true
		}
		if prefixField == "" || src.Value == nil && src.Expr == nil {
			// A parameter, given as "": List(ctx, "", page.Cursor, n).
			if len(prefixes) > 0 && !slices.ContainsFunc(prefixes, func(p kvapi.Source) bool { return !emptyString(model, p) || !writtenIn(p, op) }) {
				return true
			}
			continue
		}
		pos := src.Pos
		if src.Expr != nil {
			pos = src.Expr.Pos()
		}
		for _, n := range model.Path(pos) {
			if lit, ok := n.(*ast.CompositeLit); ok {
				if !setsField(lit, prefixField) {
					return true
				}
				break
			}
			if _, ok := n.(ast.Stmt); ok {
				break // set in a statement (o.Cursor = res.Cursor), not in a literal
			}
		}
	}
	return prefixField != "" && recursesWithoutPrefix(model, op, prefixField)
}

// recursesWithoutPrefix reports whether the function of op, a list given
// its options by its caller, calls itself with options that set the
// cursor and leave out the prefix: archiveKeys(b, prefix,
// &ListOptions{Cursor: res.Cursor}, depth+1).
func recursesWithoutPrefix(model *kvapi.Result, op *kvapi.Op, prefixField string) bool {
	fn := op.Call.Parent()
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			call, ok := instr.(*ssa.Call)
			if !ok || call.Call.StaticCallee() != fn {
				continue
			}
			expr := model.CallExpr(call.Pos())
			if expr == nil {
				continue
			}
			for _, arg := range expr.Args {
				if u, ok := arg.(*ast.UnaryExpr); ok && u.Op == token.AND {
					arg = u.X
				}
				if lit, ok := arg.(*ast.CompositeLit); ok && setsField(lit, "Cursor") && !setsField(lit, prefixField) {
					return true
				}
			}
		}
	}
	return false
}

// prefixOnOtherBranch reports whether cur, a cursor stored in options
// made anew for each page, is stored on a branch that the Prefix is not:
// if cursor == "" { o.Prefix = p } else { o.Cursor = cursor }.
func prefixOnOtherBranch(model *kvapi.Result, op *kvapi.Op, cur kvapi.Source) bool {
	store := storeOf(cur)
	if store == nil {
		return false
	}
	fa, ok := store.Addr.(*ssa.FieldAddr)
	if !ok {
		return false
	}
	opts, ok := fa.X.(*ssa.Alloc)
	if loop := kvapi.Around(op.Call.Block()); !ok || loop != nil && !loop[opts.Block()] {
		return false // options kept across pages keep the prefix set on the first
	}
	branched := false
	for _, p := range op.Sources(kvapi.Prefix) {
		if emptyString(model, p) {
			continue
		}
		ps := storeOf(p)
		if ps == nil || ps.Block() == store.Block() || ps.Block().Dominates(store.Block()) || ps.Block().Dominates(op.Call.Block()) {
			return false // set on the cursor's way too, or in the literal
		}
		branched = true
	}
	return branched
}

// storeOf returns the store into a field of options that src, a
// source of an operand, comes from, perhaps as cloudflare.F(src), or nil.
func storeOf(src kvapi.Source) *ssa.Store {
	if src.Block == nil || src.Value == nil {
		return nil
	}
	for _, instr := range src.Block.Instrs {
		if st, ok := instr.(*ssa.Store); ok && (st.Val == src.Value || kvapi.FieldArg(st.Val) == src.Value) {
			if _, field := st.Addr.(*ssa.FieldAddr); field {
				return st
			}
		}
	}
	return nil
}

// writtenIn reports whether src is an argument written in op's call.
func writtenIn(src kvapi.Source, op *kvapi.Op) bool {
	return src.Expr != nil && op.Expr != nil && src.Expr.Pos() > op.Expr.Lparen && src.Expr.End() <= op.Expr.Rparen
}

// emptyString reports whether src is known to be "" and nothing else.
func emptyString(model *kvapi.Result, src kvapi.Source) bool {
	vals, free := model.EvalSource(src, nil)
	if len(vals) == 0 && len(free) == 0 && src.Term != nil {
		// A wrapper that sets the query's prefix only when it is given
		// one, given "": made of nothing but "".
		in := src.Inputs()
		return len(in) > 0 && !slices.ContainsFunc(in, func(v ssa.Value) bool {
			c, ok := v.(*ssa.Const)
			return !ok || c.Value == nil || c.Value.Kind() != constant.String || constant.StringVal(c.Value) != ""
		})
	}
	return len(vals) == 1 && len(free) == 0 && vals[0].Kind() == constant.String && constant.StringVal(vals[0]) == ""
}

// setsField reports whether the composite literal sets the named field.
func setsField(lit *ast.CompositeLit, name string) bool {
	for _, e := range lit.Elts {
		if kv, ok := e.(*ast.KeyValueExpr); ok {
			if id, ok := kv.Key.(*ast.Ident); ok && id.Name == name {
				return true
			}
		}
	}
	return false
}

// cursorFields are the fields and methods that tell whether a list has
// more pages.
var cursorFields = map[string]bool{"Cursor": true, "ListComplete": true, "ResultInfo": true, "Complete": true,
	"NextCursor": true, "Next": true, "GetNextPage": true, "HasMore": true, "Truncated": true,
	"Done": true, "More": true, "IsComplete": true, "IsLast": true, "Finished": true,
	"NextPage": true, "NextToken": true, "ContinuationToken": true}

// sampleSize is the largest Limit that asks for a sample rather than
// the keys under a prefix: one key to see whether any exist, a handful to
// show (twenty completions of what a user types). A page of 100 or 200
// used as the whole is cut at that size.
const sampleSize = 25

// firstPageOnly reports whether a single list's keys are used while
// nothing looks at its cursor, and the page does not leave the function
// for a caller to follow, and no Limit of a sample's size asks for one
// page.
func firstPageOnly(model *kvapi.Result, op *kvapi.Op, results []ssa.Value) bool {
	for _, src := range op.Sources(kvapi.Limit) {
		if model.Unset(src, nil) {
			continue // List(ctx, prefix, "", 0) of a wrapper that sets a limit only when given one
		}
		if vals, _ := model.EvalSource(src, nil); len(vals) > 0 {
			if n, ok := constant.Int64Val(constant.ToInt(vals[0])); ok && n > 0 && n <= sampleSize {
				return false
			}
		} else if (src.Value != nil || src.Term != nil) && !pageSized(model, op, src) {
			return false // a limit chosen at run time: paged on purpose
		}
	}
	usedKeys := false
	looked := false
	decoded := make(map[ssa.Value]bool)
	var walk func(v ssa.Value, depth int)
	walk = func(v ssa.Value, depth int) {
		refs := v.Referrers()
		if refs == nil || depth > 6 || looked {
			return
		}
		for _, ref := range *refs {
			switch ref := ref.(type) {
			case *ssa.Field:
				if cursorField(ref.X.Type(), ref.Field) {
					looked = true
				} else {
					usedKeys = true
					walk(ref, depth+1)
				}
			case *ssa.FieldAddr:
				if cursorField(ref.X.Type(), ref.Field) {
					looked = true
				} else {
					walk(ref, depth+1)
				}
			case *ssa.UnOp:
				if ref.Op == token.MUL && (isLocal(ref.X) || decoded[ref.X] || hasCursorField(ref.Type())) {
					walk(ref, depth) // the page, read back from its variable or pointer
					continue
				}
				usedKeys = true
				walk(ref, depth+1)
			case *ssa.Store:
				switch {
				case ref.Addr == v:
					// A store into the variable walked: not a use.
				case isLocal(ref.Addr):
					walk(ref.Addr, depth) // a local variable: the page itself
				case depth == 0:
					looked = true // the page handed on: the caller may follow its cursor
				default:
					usedKeys = true
				}
			case *ssa.MakeInterface:
				if _, filled := ref.X.(*ssa.Alloc); depth == 0 && !filled && hasCursorField(ref.X.Type()) {
					// The page, cursor and all, handed on as an any:
					// json.NewEncoder(w).Encode(page) to the client. (A
					// variable's address is a page to fill: Decode(&page).)
					looked = true
					continue
				}
				if depth == 0 && slices.ContainsFunc(*ref.Referrers(), func(i ssa.Instruction) bool { _, ok := i.(*ssa.Return); return ok }) {
					looked = true // an auto-pager handed back as an interface: the caller pages
					continue
				}
				usedKeys = true
				walk(ref, depth+1)
			case *ssa.Return, *ssa.MapUpdate, *ssa.Send:
				if depth == 0 {
					looked = true // the page handed on: the caller may follow its cursor
				} else {
					usedKeys = true
				}
			case ssa.CallInstruction:
				if into, ok := decodedInto(ref, v); ok && !decoded[into] {
					// A REST page's body, decoded: what it fills is the
					// page, with the cursor in a field.
					decoded[into] = true
					usedKeys = true
					walk(into, 0)
					continue
				}
				if callee := ref.Common().StaticCallee(); callee != nil && cursorFields[callee.Name()] {
					looked = true
				} else if ref.Common().IsInvoke() && cursorFields[ref.Common().Method.Name()] {
					looked = true
				} else {
					usedKeys = true
				}
			default:
				usedKeys = true
				if val, ok := ref.(ssa.Value); ok {
					walk(val, depth+1)
				}
			}
		}
	}
	// A page adapter's or port's cursor or "more" result: used, it is
	// looked at; dropped (keys, _, err), the keys are one page.
	if call, ok := op.Call.(*ssa.Call); ok && call.Call.Signature().Results().Len() > 1 {
		for _, ref := range *call.Referrers() {
			if ext, ok := ref.(*ssa.Extract); ok && cursorLike(ext.Type()) && len(nonDebug(ext)) > 0 {
				looked = true
			}
		}
	}
	for _, r := range results {
		if !cursorLike(r.Type()) {
			walk(r, 0)
		}
	}
	return usedKeys && !looked
}

// pageSized reports whether the limit src is named a page's size
// (cfg.CohortPageSize, perPage): the size of one page of many, not how
// many keys the caller wants.
func pageSized(model *kvapi.Result, op *kvapi.Op, src kvapi.Source) bool {
	if src.Value == nil {
		return false
	}
	page := func(name string) bool {
		return slices.ContainsFunc(kvapi.Words(name), func(w string) bool { return strings.EqualFold(w, "page") })
	}
	return model.Backward(src.Value, op.Call, func(s kvapi.Step) bool {
		switch v := s.Value.(type) {
		case *ssa.FieldAddr:
			f := kvapi.FieldOf(v)
			return f != nil && page(f.Name())
		case *ssa.Field:
			st, ok := v.X.Type().Underlying().(*types.Struct)
			return ok && v.Field < st.NumFields() && page(st.Field(v.Field).Name())
		case *ssa.Parameter:
			return page(v.Name())
		case *ssa.Global:
			return page(v.Name())
		}
		return false
	})
}

// returnsCursor reports whether a wrapper's list hands back the keys and,
// beside them, the listing's cursor or whether more follow, as results of
// its own: Page(ctx, prefix, cursor, limit) (keys, next, err).
func returnsCursor(op *kvapi.Op) bool {
	res := op.Call.Common().Signature().Results()
	has := func(kind func(types.Type) bool) bool {
		return slices.ContainsFunc(op.Wrapped.Results, func(i int) bool { return i < res.Len() && kind(res.At(i).Type()) })
	}
	// (A drainer that sends the keys on a channel and returns where it
	// stopped, ListBudget(..., out), is no page.)
	return has(cursorLike) && has(func(t types.Type) bool { _, ok := t.Underlying().(*types.Slice); return ok })
}

// cursorLike reports whether t is a string or a bool: a cursor, or a
// flag that says whether the listing is complete.
func cursorLike(t types.Type) bool {
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Info()&(types.IsString|types.IsBoolean) != 0
}

// nonDebug returns v's referrers that are not debug references.
func nonDebug(v ssa.Value) []ssa.Instruction {
	var out []ssa.Instruction
	for _, ref := range *v.Referrers() {
		if _, debug := ref.(*ssa.DebugRef); !debug {
			out = append(out, ref)
		}
	}
	return out
}

// decodedInto returns what call fills from v, a response or its body:
// the value of io.ReadAll or json.NewDecoder, or the variable that
// json.Unmarshal or a Decoder's Decode writes.
func decodedInto(call ssa.CallInstruction, v ssa.Value) (ssa.Value, bool) {
	common := call.Common()
	callee := common.StaticCallee()
	if callee == nil || callee.Object() == nil {
		return nil, false
	}
	switch callee.Object().(*types.Func).FullName() {
	case "io.ReadAll", "encoding/json.NewDecoder":
		if c, ok := call.(*ssa.Call); ok {
			return c, true
		}
	case "encoding/json.Unmarshal", "(*encoding/json.Decoder).Decode":
		if len(common.Args) == 2 && common.Args[1] != v {
			if mi, ok := common.Args[1].(*ssa.MakeInterface); ok {
				return mi.X, true
			}
		}
	}
	return nil, false
}

// returnsPage reports whether a wrapper's or port's list hands back a page
// that says whether more follow (a struct with a cursor field): its
// caller must look. One that returns bare keys has drained the list, or
// dropped the cursor inside, where that is reported.
func returnsPage(op *kvapi.Op) bool {
	res := op.Call.Common().Signature().Results()
	for i := range res.Len() {
		if hasCursorField(res.At(i).Type()) {
			return true
		}
	}
	return false
}

// hasCursorField reports whether t is a struct, or a pointer to one, with
// a field that says whether more pages follow.
func hasCursorField(t types.Type) bool {
	if p, ok := t.Underlying().(*types.Pointer); ok {
		t = p.Elem()
	}
	if st, ok := t.Underlying().(*types.Struct); ok {
		for f := range st.Fields() {
			if cursorFields[f.Name()] {
				return true
			}
		}
	}
	return false
}

// isLocal reports whether addr is a local variable that does not escape.
func isLocal(addr ssa.Value) bool {
	alloc, ok := addr.(*ssa.Alloc)
	return ok && !alloc.Heap
}

// cursorField reports whether field i of the struct t points to is one
// that tells whether there are more pages.
func cursorField(t types.Type, i int) bool {
	if ptr, ok := t.Underlying().(*types.Pointer); ok {
		t = ptr.Elem()
	}
	st, ok := t.Underlying().(*types.Struct)
	return ok && i < st.NumFields() && cursorFields[st.Field(i).Name()]
}

// perKey returns the loop in which get reads a key that a list returned,
// once per key, or nil: a loop of its function (its header block), or the
// closure it is in (a goroutine per key).
func perKey(model *kvapi.Result, get *kvapi.Op, listed, notListed, read []ssa.Value) any {
	if len(listed) == 0 {
		return nil
	}
	fn := get.Call.Parent()
	var loop any
	if fn.Parent() != nil && !runsOnce(fn) {
		loop = fn
	}
	for _, l := range kvapi.Loops(fn) {
		if l[get.Call.Block()] {
			loop = l.Header()
			if leavesOnSuccess(get, l) {
				return nil // a search that stops at the first key it reads
			}
		}
	}
	if loop == fn {
		// A closure that may run once per key, a callback of an iterator,
		// with no loop of its own around the get: per key only if it
		// reads what it is handed, or what the function around it listed.
		// What it lists itself it lists once per get: an HTTP handler
		// that reads the key it found is no N+1.
		listed = slices.DeleteFunc(slices.Clone(listed), func(v ssa.Value) bool {
			instr, made := v.(ssa.Instruction)
			return made && instr.Parent() == fn
		})
	}
	if loop == nil && getsEach(get) {
		loop = get.Call // the helper's loop, GetMany(ctx, keys)
	}
	if loop == nil || memoized(get.Call) || writesBack(model, get) && !readsListedName(model, get, listed) {
		return nil
	}
	// A call that lists and gets itself hands back what it listed: its
	// own key is not one of them.
	var own []ssa.Value
	for _, op := range model.OpsAt(get.Call) {
		if op.Method.Role == kvapi.List {
			own = append(own, op.Results()...)
		}
	}
	if own != nil {
		listed = slices.DeleteFunc(slices.Clone(listed), func(v ssa.Value) bool { return slices.Contains(own, v) })
	}
	// A key made from a value that a get read (a record of a bulk get of
	// the listed keys, then its lock's key) is not a listed key read again.
	isListed := func(s kvapi.Step) bool { return slices.Contains(listed, s.Value) }
	isRead := func(s kvapi.Step) bool { return slices.Contains(read, s.Value) }
	for _, src := range get.Sources(kvapi.Key) {
		// Nor is a key made partly from what a get read: the IDs an
		// index holds, under the account the listed index key names.
		if slices.ContainsFunc(src.Inputs(), func(in ssa.Value) bool {
			return model.Backward(in, get.Call, isRead) && !model.Backward(in, get.Call, isListed)
		}) {
			continue
		}
		for _, in := range src.Inputs() {
			if model.BackwardAvoiding(in, get.Call, notListed, isListed) {
				return loop
			}
		}
	}
	return nil
}

// getsEach reports whether get is a call of a helper that reads each
// element of a slice it is given, one get per key: given listed keys, its
// loop is an N+1 the caller makes.
func getsEach(get *kvapi.Op) bool {
	return get.Wrapped != nil && get.Wrapped.Role == kvapi.Get && get.Wrapped.KeyEachElement()
}

// runsOnce reports whether the closure fn runs once each time the
// function around it does: called, deferred or started as a goroutine
// outside that function's loops, and never handed to anything else (an
// iterator, errgroup.Go) that might call it per key.
func runsOnce(fn *ssa.Function) bool {
	parent := fn.Parent()
	if parent == nil {
		return true
	}
	inLoop := make(map[*ssa.BasicBlock]bool)
	for _, loop := range kvapi.Loops(parent) {
		maps.Copy(inLoop, loop)
	}
	isFn := func(v ssa.Value) bool {
		mc, ok := v.(*ssa.MakeClosure)
		return v == fn || ok && mc.Fn == fn
	}
	used := false
	for _, b := range parent.Blocks {
		for _, instr := range b.Instrs {
			if mc, ok := instr.(*ssa.MakeClosure); ok && mc.Fn == fn {
				for _, ref := range *mc.Referrers() {
					if _, ok := ref.(*ssa.DebugRef); ok {
						continue
					}
					if call, ok := ref.(ssa.CallInstruction); !ok || call.Common().Value != mc {
						return false
					}
				}
				continue
			}
			call, ok := instr.(ssa.CallInstruction)
			if !ok {
				continue
			}
			if isFn(call.Common().Value) {
				if inLoop[b] {
					return false
				}
				used = true
			}
			if slices.ContainsFunc(call.Common().Args, isFn) {
				return false
			}
		}
	}
	return used && runsOnce(parent)
}

// groupKeys returns the keys of a range over a map that sorts values into
// groups (byTenant[t] = append(byTenant[t], e)): a get per key of such a
// map is one per group, however many listed keys the group holds.
func groupKeys(fns []*ssa.Function) []ssa.Value {
	var out []ssa.Value
	for _, fn := range fns {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				next, ok := instr.(*ssa.Next)
				if !ok || next.IsString {
					continue
				}
				rng, ok := next.Iter.(*ssa.Range)
				if !ok || !groups(rng.X) {
					continue
				}
				for _, ref := range *next.Referrers() {
					if ex, ok := ref.(*ssa.Extract); ok && ex.Index == 1 {
						out = append(out, ex)
					}
				}
			}
		}
	}
	return out
}

// groups reports whether every update of the map m appends to the slice
// already held under its key: m[k] = append(m[k], v).
func groups(m ssa.Value) bool {
	updates := kvapi.MapUpdates(m)
	for _, up := range updates {
		call, ok := up.Value.(*ssa.Call)
		if !ok || len(call.Call.Args) == 0 {
			return false
		}
		if b, ok := call.Call.Value.(*ssa.Builtin); !ok || b.Name() != "append" {
			return false
		}
		held, ok := call.Call.Args[0].(*ssa.Lookup)
		if !ok || !kvapi.SameRead(held.Index, up.Key) || !kvapi.SameRead(held.X, up.Map) {
			return false
		}
	}
	return len(updates) > 0
}

// writesBack reports whether the get is the first half of an update of
// its key (a lock taken, a record changed): a put of the same key in the
// same call of a helper, or after it in its function. Done per listed key,
// that is a write per key, kvrace's or kvhotkey's concern, not N+1 reads.
func writesBack(model *kvapi.Result, get *kvapi.Op) bool {
	same := func(put *kvapi.Op) bool {
		return model.Same(get, put, kvapi.Key) && model.Same(get, put, kvapi.Namespace) // not a copy to another namespace
	}
	// (A write of one pair through a bulk write, as cloudflare-go v0 takes
	// a lifetime, is such a put.)
	writes := func(op *kvapi.Op) bool { return op.Method.Role == kvapi.Put || op.Method.Role == kvapi.BulkPut }
	for _, op := range model.OpsAt(get.Call) {
		if writes(op) && same(op) {
			return true
		}
	}
	fn := get.Call.Parent()
	return slices.ContainsFunc(slices.Concat(model.OpsIn(fn, kvapi.Put), model.OpsIn(fn, kvapi.BulkPut)), func(put *kvapi.Op) bool {
		return kvapi.Before(get.Call, put.Call) && same(put)
	})
}

// readsListedName reports whether the get reads a listed key as it was
// listed (k.Name), not a key made from it ("lock:" + k.Name): a record read
// one by one, whatever is done with it then.
func readsListedName(model *kvapi.Result, get *kvapi.Op, listed []ssa.Value) bool {
	for _, src := range get.Sources(kvapi.Key) {
		if src.Term != nil && src.Term.Op != kvapi.TermParam {
			continue // a wrapper that makes its key from what it is given
		}
		for _, in := range src.Inputs() {
			if model.BackwardPruned(in, get.Call, madeFrom, func(s kvapi.Step) bool { return slices.Contains(listed, s.Value) }) {
				return true
			}
		}
	}
	return false
}

// madeFrom reports whether the step computes a new key from others: a
// concatenation, a call that returns a string (not a pager's Current).
func madeFrom(s kvapi.Step) bool {
	switch v := s.Value.(type) {
	case *ssa.BinOp:
		return true
	case *ssa.Call:
		return isString(v.Type())
	}
	return false
}

// leavesOnSuccess reports whether the loop ends where get succeeds: the
// way its error takes when nil leaves the loop (if err == nil { return v }),
// so that the loop tries listed keys until one reads, not all of them.
func leavesOnSuccess(get *kvapi.Op, loop kvapi.Loop) bool {
	call, ok := get.Call.(*ssa.Call)
	if !ok {
		return false
	}
	tests, failed := kvapi.ErrorTests(call)
	for i, br := range tests {
		for _, succ := range br.Block().Succs {
			if succ != failed[i] && leaves(succ, loop) {
				return true
			}
		}
	}
	return false
}

// leaves reports whether b is out of the loop, or tests one more thing
// and leaves on its outcome (err == nil && v != "<null>").
func leaves(b *ssa.BasicBlock, loop kvapi.Loop) bool {
	if !loop[b] {
		return true
	}
	if br, ok := b.Instrs[len(b.Instrs)-1].(*ssa.If); ok && !isErrorCheck(br.Cond) {
		return slices.ContainsFunc(b.Succs, func(s *ssa.BasicBlock) bool { return !loop[s] })
	}
	return false // (a failure of what follows, a decode's, is no success)
}

// memoized reports whether call runs only when a map lookup found
// nothing: a get per distinct owner of the listed keys, remembered in a
// map (if _, seen := known[id]; !seen { get(id) }), not one per key.
func memoized(call ssa.CallInstruction) bool {
	for b := call.Block(); b != nil; b = b.Idom() {
		idom := b.Idom()
		if idom == nil {
			return false
		}
		if ifInstr, ok := idom.Instrs[len(idom.Instrs)-1].(*ssa.If); ok && fromMapLookup(ifInstr.Cond) {
			return true
		}
	}
	return false
}

// fromMapLookup reports whether cond is the ok of a map lookup, or its
// negation.
func fromMapLookup(cond ssa.Value) bool {
	if not, ok := cond.(*ssa.UnOp); ok && not.Op == token.NOT {
		cond = not.X
	}
	ext, ok := cond.(*ssa.Extract)
	if !ok || ext.Index != 1 {
		return false
	}
	lookup, ok := ext.Tuple.(*ssa.Lookup)
	if !ok || !lookup.CommaOk {
		return false
	}
	_, isMap := lookup.X.Type().Underlying().(*types.Map)
	return isMap
}

// callbackStops reports whether the loops paging through op end, apart
// from failures and the end of the listing, when a callback the function
// was given says so (yield(k) returning false, fn(k) returning an error),
// and whether they also end at a budget of their own.
func callbackStops(model *kvapi.Result, op *kvapi.Op, results []ssa.Value) (byCallback, budgeted bool) {
	for _, loop := range pagingLoops(model, op, results) {
		for _, c := range exitConds(loop) {
			switch {
			case callsCallback(c.cond):
				byCallback = true
			case isErrorCheck(c.cond), listingEnds(model, c.cond, results):
			default:
				budgeted = true
			}
		}
	}
	return byCallback, budgeted
}

// callsCallback reports whether cond, or its negation, tests the answer
// of a function the enclosing function was given: yield(k, nil), or the
// error of fn(k) (err != nil, errors.Is(err, Stop)).
func callsCallback(cond ssa.Value) bool {
	if not, ok := cond.(*ssa.UnOp); ok && not.Op == token.NOT {
		cond = not.X
	}
	switch c := cond.(type) {
	case *ssa.BinOp:
		return (c.Op == token.EQL || c.Op == token.NEQ) && (callbackAnswer(c.X) || callbackAnswer(c.Y))
	case *ssa.Call:
		return callbackAnswer(c) || len(c.Call.Args) > 0 && kvapi.IsError(c.Call.Args[0].Type()) && callbackAnswer(c.Call.Args[0])
	}
	return false
}

// stopProtocol reports whether the callback's answer that cond tests is
// also told apart from failures, as a request to stop: errors.Is(err,
// ErrStop), err == ErrStop, or a yield's false.
func stopProtocol(cond ssa.Value) bool {
	if not, ok := cond.(*ssa.UnOp); ok && not.Op == token.NOT {
		cond = not.X
	}
	var answer ssa.Value
	switch c := cond.(type) {
	case *ssa.BinOp:
		answer = c.X
		if !callbackAnswer(answer) {
			answer = c.Y
		}
	case *ssa.Call:
		return true // yield(k) itself, or errors.Is(fn(k), ErrStop)
	}
	if answer == nil || !kvapi.IsError(answer.Type()) {
		return true
	}
	for _, ref := range *answer.Referrers() {
		switch ref := ref.(type) {
		case *ssa.Call:
			if kvapi.CalleeName(ref) == "errors.Is" && len(ref.Call.Args) == 2 && sentinel(ref.Call.Args[1]) {
				return true
			}
		case *ssa.BinOp:
			if ref.Op == token.EQL || ref.Op == token.NEQ {
				if sentinel(kvapi.OtherOperand(ref, answer)) {
					return true
				}
			}
		}
	}
	return false
}

// callbackAnswer reports whether v is what a call of a function the
// enclosing function was given returned.
func callbackAnswer(v ssa.Value) bool {
	if ext, ok := v.(*ssa.Extract); ok {
		v = ext.Tuple
	}
	call, ok := v.(*ssa.Call)
	if !ok || call.Call.IsInvoke() {
		return false
	}
	switch call.Call.Value.(type) {
	case *ssa.Parameter, *ssa.FreeVar:
		return true
	}
	return false
}

// An iteratorUse is a body handed listed keys by a function with an
// iteratorFact: the body of a range over the iterator it returns, or a
// callback given to it.
type iteratorUse struct {
	call     *ssa.Call // of the function with the fact
	body     *ssa.Function
	budgeted bool // see iteratorFact
}

// iteratorUses returns the package's ranges over listing iterators and
// callbacks given to listing functions.
func iteratorUses(pass *analysis.Pass, model *kvapi.Result) []iteratorUse {
	var fact iteratorFact
	listing := func(v ssa.Value) (*ssa.Call, bool) {
		call, budgeted, ok := iteratorCall(pass, model, v)
		fact = iteratorFact{Budgeted: budgeted}
		return call, ok
	}
	var uses []iteratorUse
	for _, fn := range model.Funcs() {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				call, ok := instr.(*ssa.Call)
				if !ok {
					continue
				}
				// for k, err := range store.Keys(ctx, prefix) { ... }
				if it, ok := listing(call.Call.Value); ok && len(call.Call.Args) == 1 {
					if mc, ok := call.Call.Args[0].(*ssa.MakeClosure); ok {
						uses = append(uses, iteratorUse{it, mc.Fn.(*ssa.Function), fact.Budgeted})
					}
					continue
				}
				// for k, err := range Take(store.Keys(ctx, prefix), n): an
				// adapter hands on the keys, perhaps fewer of them (taken
				// as a budget).
				if adapter, ok := call.Call.Value.(*ssa.Call); ok && len(call.Call.Args) == 1 {
					if mc, ok := call.Call.Args[0].(*ssa.MakeClosure); ok {
						for _, a := range adapter.Call.Args {
							if it, ok := listing(a); ok {
								uses = append(uses, iteratorUse{it, mc.Fn.(*ssa.Function), true})
								break
							}
						}
					}
				}
				// store.Walk(ctx, prefix, func(k string) bool { ... }), but
				// not the function a combinator is given, Filter(seq, keep).
				if _, ok := listing(call); ok && !returnsIterator(call.Call.Signature()) {
					for _, a := range call.Call.Args {
						if mc, ok := a.(*ssa.MakeClosure); ok {
							uses = append(uses, iteratorUse{call, mc.Fn.(*ssa.Function), fact.Budgeted})
						}
					}
				}
			}
		}
	}
	return uses
}

// A pullUse is a listing iterator turned into a pull function,
// iter.Pull(seq) or iter.Pull2(seq): the calls of its next function and
// what they return.
type pullUse struct {
	call     *ssa.Call // of iter.Pull or iter.Pull2
	nexts    []*ssa.Call
	results  []ssa.Value
	budgeted bool // see iteratorFact
}

// pullUses returns the package's listing iterators turned into pull
// functions.
func pullUses(pass *analysis.Pass, model *kvapi.Result) []pullUse {
	var uses []pullUse
	for _, fn := range model.Funcs() {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				call, ok := instr.(*ssa.Call)
				if !ok || len(call.Call.Args) != 1 {
					continue
				}
				if name := kvapi.CalleeName(call); name != "iter.Pull" && name != "iter.Pull2" {
					continue
				}
				it, budgeted, ok := iteratorCall(pass, model, call.Call.Args[0])
				if !ok || it == nil {
					continue
				}
				use := pullUse{call: call, budgeted: budgeted}
				for _, ref := range *call.Referrers() {
					next, ok := ref.(*ssa.Extract)
					if !ok || next.Index != 0 {
						continue
					}
					for _, r := range *next.Referrers() {
						if c, ok := r.(*ssa.Call); ok && c.Call.Value == next {
							use.nexts = append(use.nexts, c)
							use.results = append(use.results, c)
							use.results = append(use.results, extracts(c)...)
						}
					}
				}
				uses = append(uses, use)
			}
		}
	}
	return uses
}

// extracts returns the values that take call's results apart.
func extracts(call *ssa.Call) []ssa.Value {
	var out []ssa.Value
	for _, ref := range *call.Referrers() {
		if ex, ok := ref.(*ssa.Extract); ok {
			out = append(out, ex)
		}
	}
	return out
}

// iteratorCall returns v when it is a call of a listing iterator: a
// function with an iteratorFact, or a storage port's method that
// iterators serve (store.Keys(ctx, prefix) on a Lister); and whether the
// iterator keeps a budget of its own.
func iteratorCall(pass *analysis.Pass, model *kvapi.Result, v ssa.Value) (call *ssa.Call, budgeted, ok bool) {
	call, isCall := v.(*ssa.Call)
	if !isCall {
		return nil, false, false
	}
	if call.Call.IsInvoke() {
		budgeted, ok = model.PortIterator(call.Call.Method)
		return call, budgeted, ok
	}
	callee := call.Call.StaticCallee()
	if callee == nil {
		return nil, false, false
	}
	if returnsIterator(callee.Signature) {
		// A combinator over a listing iterator, iterx.Map(iterx.Filter(
		// s.Keys(ctx, p), keep), f), lists what it is given. One that is
		// given a count, Take(seq, n), stops at it.
		for _, arg := range call.Call.Args {
			if !isIterator(arg.Type()) {
				continue
			}
			if _, budgeted, ok := iteratorCall(pass, model, arg); ok {
				return call, budgeted || givenCount(callee.Signature), true
			}
		}
	}
	fn, isFunc := callee.Object().(*types.Func)
	var fact iteratorFact
	if !isFunc || !pass.ImportObjectFact(fn, &fact) {
		return nil, false, false
	}
	return call, fact.Budgeted, true
}

// returnsIterator reports whether sig returns one push iterator.
func returnsIterator(sig *types.Signature) bool {
	return sig.Results().Len() == 1 && isIterator(sig.Results().At(0).Type())
}

// isIterator reports whether t is a push iterator, a function that takes
// a yield function: iter.Seq2[string, error].
func isIterator(t types.Type) bool {
	sig, ok := t.Underlying().(*types.Signature)
	if !ok || sig.Params().Len() != 1 || sig.Results().Len() != 0 {
		return false
	}
	yield, ok := sig.Params().At(0).Type().Underlying().(*types.Signature)
	return ok && yield.Results().Len() == 1 && types.Identical(yield.Results().At(0).Type(), types.Typ[types.Bool])
}

// givenCount reports whether sig takes an integer, the count a
// combinator such as Take(seq, n) stops at.
func givenCount(sig *types.Signature) bool {
	for p := range sig.Params().Variables() {
		if b, ok := p.Type().Underlying().(*types.Basic); ok && b.Info()&types.IsInteger != 0 {
			return true
		}
	}
	return false
}

// exportForwarders exports an iteratorFact for each function of the
// package that returns what a listing iterator's call returns, such as a
// helper that asks its store for its Lister's Keys: func Keys(ctx, s,
// prefix) iter.Seq2[string, error] { if l, ok := s.(Lister); ok { return
// l.Keys(ctx, prefix) }; ... }.
func exportForwarders(pass *analysis.Pass, model *kvapi.Result) {
	for range 2 { // a forwarder of a forwarder declared after it
		for _, fn := range model.Funcs() {
			obj, ok := fn.Object().(*types.Func)
			if !ok || fn.Parent() != nil || pass.ImportObjectFact(obj, new(iteratorFact)) {
				continue
			}
			found, budgeted := false, true
			for _, b := range fn.Blocks {
				ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
				if !ok || len(ret.Results) == 0 {
					continue
				}
				if call, b, ok := iteratorCall(pass, model, ret.Results[0]); ok && (returnsIterator(fn.Signature) || passesCallback(call, fn)) {
					found, budgeted = true, budgeted && b
				}
			}
			if found {
				pass.ExportObjectFact(obj, &iteratorFact{Budgeted: budgeted})
			}
		}
	}
}

// passesCallback reports whether call is given a function that fn was
// given: Walk(ctx, fn) returning store.Each(ctx, "p:", fn).
func passesCallback(call *ssa.Call, fn *ssa.Function) bool {
	return slices.ContainsFunc(call.Call.Args, func(a ssa.Value) bool {
		p, ok := a.(*ssa.Parameter)
		_, isFunc := a.Type().Underlying().(*types.Signature)
		return ok && isFunc && p.Parent() == fn
	})
}

// stops reports whether body can tell its iterator to stop other than on
// a failure: a return of false (a break, or a return from the function
// ranging), or of a sentinel error (return ErrStop, or one wrapped:
// retry.Permanent(errFound)), not reached only through an error check.
func stops(body *ssa.Function) bool {
	for _, b := range body.Blocks {
		ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
		if !ok || len(ret.Results) != 1 || onErrorPath(b) {
			continue
		}
		if c, ok := ret.Results[0].(*ssa.Const); ok && c.Value != nil && c.Value.Kind() == constant.Bool && !constant.BoolVal(c.Value) {
			return true
		}
		if kvapi.IsError(ret.Results[0].Type()) && sentinel(ret.Results[0]) {
			return true
		}
	}
	return false
}

// sentinel reports whether v is a package-level error variable, or a call
// given one: ErrStop, retry.Permanent(ErrFound).
func sentinel(v ssa.Value) bool {
	isGlobal := func(v ssa.Value) bool {
		load, ok := v.(*ssa.UnOp)
		if !ok || load.Op != token.MUL {
			return false
		}
		_, ok = load.X.(*ssa.Global)
		return ok
	}
	if isGlobal(v) {
		return true
	}
	call, ok := v.(*ssa.Call)
	return ok && slices.ContainsFunc(call.Call.Args, isGlobal)
}

// onErrorPath reports whether b is reached only through the failing side
// of error checks. In `if err != nil || len(out) >= max { return false }`
// the return is reached from the budget too, so it is a stop.
func onErrorPath(b *ssa.BasicBlock) bool {
	for _, p := range b.Preds {
		if br, ok := p.Instrs[len(p.Instrs)-1].(*ssa.If); ok && isErrorCheck(br.Cond) && failingSide(p, br) == b {
			continue
		}
		if !withinErrorHandling(p) {
			return false
		}
	}
	return len(b.Preds) > 0
}

// failingSide returns the successor of d that br, an error check, takes
// when the error is not nil.
func failingSide(d *ssa.BasicBlock, br *ssa.If) *ssa.BasicBlock {
	if br.Cond.(*ssa.BinOp).Op == token.EQL {
		return d.Succs[1]
	}
	return d.Succs[0]
}

// withinErrorHandling reports whether b lies on the failing side of an
// error check: the nearest branch above it tests an error.
func withinErrorHandling(b *ssa.BasicBlock) bool {
	for d := b.Idom(); d != nil; d = d.Idom() {
		br, ok := d.Instrs[len(d.Instrs)-1].(*ssa.If)
		if !ok {
			continue
		}
		if !isErrorCheck(br.Cond) {
			return false
		}
		return failingSide(d, br).Dominates(b)
	}
	return false
}

// isString reports whether t is a string, such as a cursor.
func isString(t types.Type) bool {
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Info()&types.IsString != 0
}
