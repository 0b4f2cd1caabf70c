package kvttl

import (
	_ "embed"
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
	"golang.org/x/tools/go/types/typeutil"

	"github.com/kvlint/kvlint/analyzers/internal/analysisdoc"
	"github.com/kvlint/kvlint/analyzers/internal/report"
	"github.com/kvlint/kvlint/analyzers/kvapi"
)

//go:embed doc.go
var doc string

// Config holds kvttl's options.
type Config struct {
	// Min is the smallest expiration TTL accepted, in seconds. KV's own
	// minimum is 60; a team may raise it.
	Min int
	// CacheMin is the smallest get CacheTTL accepted, in seconds: 30
	// since 2026-01-30, 60 on older runtimes.
	CacheMin int
}

// DefaultConfig is KV's documented limits.
var DefaultConfig = Config{Min: 60, CacheMin: 30}

// Analyzer is kvttl with the default configuration, its flags bound.
var Analyzer = New(DefaultConfig)

// New returns a kvttl analyzer with its own copy of cfg, bound to its flags.
func New(cfg Config) *analysis.Analyzer {
	c := &checker{cfg: cfg}
	a := &analysis.Analyzer{
		Name:     "kvttl",
		Doc:      analysisdoc.Extract(doc, "kvttl"),
		URL:      "https://github.com/kvlint/kvlint/blob/main/docs/kvttl.md",
		Requires: []*analysis.Analyzer{kvapi.Analyzer},
		Run:      c.run,
	}
	a.Flags.Var(&minimum{&c.cfg.Min, DefaultConfig.Min, "KV rejects an expiration TTL"}, "min", "smallest ExpirationTTL, and smallest Expiration ahead of now, to accept (seconds, at least 60)")
	a.Flags.Var(&minimum{&c.cfg.CacheMin, DefaultConfig.CacheMin, "the runtime rejects a CacheTTL"}, "cachemin", "smallest get CacheTTL to accept (seconds, at least 30)")
	return a
}

// A minimum is a flag for a number of seconds that may be raised above
// KV's own floor but not lowered below it: below the floor, kvttl would
// stay quiet about a TTL that KV itself rejects.
type minimum struct {
	seconds *int
	floor   int
	why     string
}

func (m *minimum) String() string {
	if m.seconds == nil { // the zero value flag.PrintDefaults makes
		return ""
	}
	return strconv.Itoa(*m.seconds)
}

func (m *minimum) Set(s string) error {
	n, err := strconv.Atoi(s)
	switch {
	case err != nil:
		return fmt.Errorf("want a whole number of seconds, got %q", s)
	case n < m.floor:
		return fmt.Errorf("%d is below %d: %s below %d seconds, so kvttl must report it; raise the minimum or leave it at %d", n, m.floor, m.why, m.floor, m.floor)
	}
	*m.seconds = n
	return nil
}

type checker struct{ cfg Config }

// pass is one run of kvttl on one package.
type pass struct {
	cfg   Config
	model *kvapi.Result
	rep   *report.Reporter
	fset  *token.FileSet
	info  *analysis.Pass
	// spans are the expressions reported so far: one lifetime, found
	// both as a constant on one path and as a clamp's floor, is one
	// finding.
	spans [][2]token.Pos
	// said are the findings reported so far, by line and message less
	// what it was passed to: a lifetime handed to a builder that keeps it
	// (s.Entry(key, ttl)) and then to the method that writes it
	// (.Write(ctx, v)) on one line is one finding.
	said map[string]token.Pos
	// constants are the named constants reported so far, by the function
	// declaration they were given in: a notice broadcast and the same
	// notice recorded, both with Grace: drainGrace, are one mistake.
	constants map[constantIn]bool
}

// constantIn is a named constant given in one function declaration.
type constantIn struct {
	fn *ast.FuncDecl
	c  *types.Const
}

// passedTo is the part of a message that names the wrapper a value was
// passed to, or the field it was kept in: f.ttl = 30 * time.Second is one
// finding, whether the put in the same function or one in another reads it.
var passedTo = regexp.MustCompile(` \((passed to|kept in) [^)]*\)`)

// emit reports d unless an expression already reported holds it, or
// it holds one.
func (p *pass) emit(d analysis.Diagnostic) {
	end := max(d.End, d.Pos)
	for _, s := range p.spans {
		if d.Pos != s[0] && (s[0] <= d.Pos && end <= s[1] || d.Pos <= s[0] && s[1] <= end) {
			return
		}
	}
	posn := p.fset.Position(d.Pos)
	said := fmt.Sprintf("%s:%d %s", posn.Filename, posn.Line, passedTo.ReplaceAllString(d.Message, ""))
	if at, ok := p.said[said]; ok && at != d.Pos {
		return // (at the same place, the reporter merges them, fixes and all)
	}
	if p.said == nil {
		p.said = make(map[string]token.Pos)
	}
	p.said[said] = d.Pos
	p.spans = append(p.spans, [2]token.Pos{d.Pos, end})
	if at, ok := p.constantAt(d.Pos); ok {
		if p.constants == nil {
			p.constants = make(map[constantIn]bool)
		}
		p.constants[at] = true
	}
	p.rep.Report(d)
}

// constantAt returns the named constant written at pos, with the
// function declaration it is written in.
func (p *pass) constantAt(pos token.Pos) (constantIn, bool) {
	path := p.model.Path(pos)
	if len(path) == 0 {
		return constantIn{}, false
	}
	id, ok := path[0].(*ast.Ident)
	if sel, isSel := parentOf(path).(*ast.SelectorExpr); ok && isSel && sel.X == id {
		id = sel.Sel // timeouts.Burst
	}
	c, isConst := p.info.TypesInfo.Uses[id].(*types.Const)
	if !ok || !isConst || path[0].Pos() != pos {
		return constantIn{}, false
	}
	for _, n := range path {
		if fn, ok := n.(*ast.FuncDecl); ok {
			return constantIn{fn, c}, true
		}
	}
	return constantIn{}, false
}

// parentOf returns the node that encloses path's innermost one, or nil.
func parentOf(path []ast.Node) ast.Node {
	if len(path) < 2 {
		return nil
	}
	return path[1]
}

func (c *checker) run(p *analysis.Pass) (any, error) {
	model := p.ResultOf[kvapi.Analyzer].(*kvapi.Result)
	if len(model.Ops)+len(model.FieldSets)+len(model.StoredOperands) == 0 {
		return nil, nil
	}
	ps := &pass{cfg: c.cfg, model: model, rep: report.New(p), fset: p.Fset, info: p}
	for _, op := range slices.Concat(model.Ops, model.FieldSets) {
		// A wrapper of this package is followed through its callers, as a
		// frame (see bindings); only options that a caller builds for it
		// and passes in a struct are checked at the call. A call through a
		// storage port, or by a workflow engine that runs the wrapper with
		// the call's arguments, has no frame to follow: it is checked at
		// the call.
		local := op.Wrapper != nil && op.Wrapper.Pkg() == p.Pkg && op.Wrapped.Field == "" && !op.Call.Common().IsInvoke() && !op.Dispatched()
		sources := func(o kvapi.Operand) []kvapi.Source {
			srcs := op.Sources(o)
			if local {
				srcs = slices.DeleteFunc(srcs, func(src kvapi.Source) bool { return src.Term != nil })
			}
			// A lifetime read from a table by a key known at run time is
			// each of its entries, checked where the entry is written.
			for _, src := range srcs {
				srcs = append(srcs, model.TableSources(src)...)
			}
			return srcs
		}
		// A namespace stacked with a decorator that raises lifetimes to a
		// floor of a minute or more takes any TTL; one whose floor is not
		// known is given the benefit of the doubt.
		if secs, known, floored := model.NamespaceFloor(op); !floored || known && secs < float64(c.cfg.Min) {
			for _, src := range sources(kvapi.TTL) {
				ps.checkTTL(op, src, kvapi.TTL, c.cfg.Min)
				ps.checkFloor(op, src, kvapi.TTL, c.cfg.Min)
			}
		}
		for _, src := range sources(kvapi.CacheTTL) {
			ps.checkTTL(op, src, kvapi.CacheTTL, c.cfg.CacheMin)
			ps.checkFloor(op, src, kvapi.CacheTTL, c.cfg.CacheMin)
		}
		for _, src := range sources(kvapi.Expiration) {
			ps.checkExpiration(op, src)
		}
	}
	for _, so := range model.StoredOperands {
		switch so.Operand {
		case kvapi.TTL:
			ps.checkStored(so, c.cfg.Min)
		case kvapi.CacheTTL:
			ps.checkStored(so, c.cfg.CacheMin)
		case kvapi.Expiration:
			ps.checkStoredExpiration(so)
		}
	}
	ps.rep.Finish()
	return nil, nil
}

// checkStored checks a lifetime stored in a field as a constant, where it
// is stored: a config default read by a later put, perhaps in another
// package.
func (p *pass) checkStored(so kvapi.StoredOperand, min int) {
	if !p.model.ReachableSource(so.Source, nil) || so.Source.Block != nil && !p.model.Reachable(so.Source.Block, nil) {
		return
	}
	if unit := p.durationConversionInSyntax(so.Source.Expr); unit != "" && p.toNumber(so.Source.Expr) && sentAsIs(so) {
		// ExpirationTTL: int(lifetimes[KindCode]) in a pair the adapter
		// sends: nanoseconds, or whatever unit it was divided by.
		d := analysis.Diagnostic{Pos: so.Source.Expr.Pos(), End: so.Source.Expr.End(),
			Message: fmt.Sprintf("%s (kept in %s, which a later %s reads) is a lifetime in seconds, but this converts a time.Duration to %s (int(time.Minute) is 60000000000): use d.Seconds()",
				so.Operand, so.Field, so.Role, lower(unit))}
		if fix := p.secondsFix(so.Source.Expr, min); fix != nil {
			d.SuggestedFixes = []analysis.SuggestedFix{*fix}
		}
		p.emit(d)
		return
	}
	template := kvapi.Source{Term: so.Template, Duration: so.Source.Duration}
	if so.Source.Term != nil && so.Source.Term.CountsDown() {
		p.checkStoredCountdown(so, template, min)
		return
	}
	vals, free := p.model.EvalSource(so.Source, nil)
	if len(free) > 0 {
		return
	}
	if direct, ok := p.model.StoredOperandValues(so); ok {
		// What the storing function computes rules values out that the
		// stored value's Term cannot (a case its tests left behind).
		vals = slices.DeleteFunc(vals, func(c constant.Value) bool {
			return !slices.ContainsFunc(direct, func(d constant.Value) bool { return constant.Compare(d, token.EQL, c) })
		})
	}
	inside, _ := p.model.EvalSource(template, nil)
	if so.Template != nil && p.lowClampOf(template, nil, min) {
		return // a clamp whose own floor is low: reported at the clamp, whatever is stored
	}
	for _, c := range vals {
		if slices.ContainsFunc(inside, func(v constant.Value) bool { return constant.Compare(v, token.EQL, c) }) {
			continue // the operation's own constant, reported where it is written
		}
		c, secs := inSeconds(c, so.Source.Duration)
		if secs == 0 || secs >= float64(min) {
			continue // zero leaves the option unset
		}
		limit := broken(so.Operand, min, secs)
		d := analysis.Diagnostic{Pos: so.Source.Pos, Message: fmt.Sprintf("%s %s (kept in %s, which a later %s reads) is below %s: %s",
			so.Operand, number(c), so.Field, so.Role, minimumPhrase(so.Operand, limit), rejection(so.Operand, limit))}
		if e := so.Source.Expr; e != nil {
			d.Pos, d.End = e.Pos(), e.End()
		}
		if e := p.chosenBefore(storedValue(so), d.Pos, d.End); e != nil {
			d.Pos, d.End = e.Pos(), e.End()
		}
		if pos := p.givenBy(so.Source.Expr, secs); pos.IsValid() {
			d.Pos, d.End = pos, pos // cfg.PresenceTTL() of another package returns it
		}
		if at, ok := p.constantAt(d.Pos); ok && p.constants[at] {
			continue // the same constant, reported where this function hands it to a put
		}
		p.emit(d)
	}
}

// checkStoredCountdown checks a lifetime stored in a field as a countdown
// to a moment (SessionTTL: time.Until(sh.Ends) in a message that a later
// put reads): with nothing to keep it at the minimum, where it is stored
// or where the put reads it, it drops below as the moment nears.
func (p *pass) checkStoredCountdown(so kvapi.StoredOperand, template kvapi.Source, min int) {
	perSecond := 1.0
	if so.Source.Duration {
		perSecond = 1e9
	}
	var stored kvapi.Bound
	if v := storedValue(so); v != nil {
		stored, _ = p.model.BoundOf(v, so.Source.Block, nil) // with the moment's lead, if known
	} else {
		stored, _ = p.model.SourceBound(so.Source, so.Source.Block, nil)
	}
	if !stored.Countdown || stored.Floored && stored.Floor/perSecond >= float64(min) {
		return
	}
	if read, _ := p.model.SourceBound(template, nil, nil); read.Floored && read.Floor/perSecond >= float64(min) {
		return // clamped where the put reads it
	}
	via := fmt.Sprintf(" (kept in %s, which a later %s reads)", so.Field, so.Role)
	d := analysis.Diagnostic{Pos: so.Source.Pos, Message: countdownMessage(so.Operand, via, min)}
	if e := so.Source.Expr; e != nil {
		d.Pos, d.End = e.Pos(), e.End()
	}
	p.emit(d)
}

// storedValue returns the value that so's store puts in the field.
func storedValue(so kvapi.StoredOperand) ssa.Value {
	if so.Source.Block == nil {
		return nil
	}
	for _, instr := range so.Source.Block.Instrs {
		if store, ok := instr.(*ssa.Store); ok && store.Pos() == so.Source.Pos {
			return store.Val
		}
	}
	return nil
}

// checkStoredExpiration checks an expiration stored in a field as the
// time now plus a constant, where it is stored: an option of a storage
// port (ExpireAt: ptr(now.Add(45 * time.Second))) that its adapter sends.
func (p *pass) checkStoredExpiration(so kvapi.StoredOperand) {
	if !p.model.ReachableSource(so.Source, nil) || so.Source.Block != nil && !p.model.Reachable(so.Source.Block, nil) {
		return
	}
	t := termNow(p.model, so.Source.Term, nil, nil, 0)
	if t == nil {
		return
	}
	d := analysis.Diagnostic{Pos: so.Source.Pos}
	if e := so.Source.Expr; e != nil {
		d.Pos, d.End = e.Pos(), e.End()
	}
	switch {
	case t.unit != "s" && sentAsIs(so):
		// Expiration: ev.CheckOut.UnixMilli() in a pair the adapter sends.
		d.Message = fmt.Sprintf("Expiration (kept in %s, which a later %s reads) is in seconds since the Unix epoch, but this is a Unix time in %s: %s",
			so.Field, so.Role, t.unit, expirationUnitWhy)
	case t.fromNow && t.known && t.offset < float64(p.cfg.Min):
		limit := broken(kvapi.Expiration, p.cfg.Min, t.offset)
		d.Message = fmt.Sprintf("Expiration is time.Now() plus %s (kept in %s, which a later %s reads), less than %s ahead: %s",
			time.Duration(t.offset*1e9), so.Field, so.Role, minimumPhrase(kvapi.Expiration, limit), rejection(kvapi.Expiration, limit))
	default:
		return
	}
	p.emit(d)
}

// givenBy returns the return that gives secs seconds in the method of
// another package that e calls with no arguments, cfg.PresenceTTL(),
// when its files are loaded here.
func (p *pass) givenBy(e ast.Expr, secs float64) token.Pos {
	call, ok := ast.Unparen(e).(*ast.CallExpr)
	if !ok || len(call.Args) > 0 {
		return token.NoPos
	}
	fn, ok := typeutil.Callee(p.info.TypesInfo, call).(*types.Func)
	if !ok || fn.Signature().Results().Len() != 1 {
		return token.NoPos
	}
	if kvapi.IsDuration(fn.Signature().Results().At(0).Type()) {
		secs *= 1e9
	}
	return p.model.ReturnOf(fn, constant.MakeFloat64(secs))
}

// checkTTL checks a relative lifetime in seconds: ExpirationTTL or CacheTTL.
func (p *pass) checkTTL(op *kvapi.Op, src kvapi.Source, o kvapi.Operand, min int) {
	if src.Term != nil && !src.Term.Params() && !p.pickedHere(src) {
		return // fixed inside a wrapper elsewhere, and checked there
	}
	if src.Duration {
		// A time.Duration that a configured interface takes as such.
	} else if src.Value == nil {
		// Inside a wrapper elsewhere, which was checked for units itself;
		// but a count of seconds passed to it as int(d) is nanoseconds.
		if _, passed := src.Term.Passed(); passed && p.checkDurationUnits(op, src, o) {
			return
		}
	} else if p.checkDurationUnits(op, src, o) {
		return
	} else if name := millisNamed(src.Value); name != "" && o == kvapi.TTL {
		p.report(op, src, nil, "%s is a lifetime in seconds, but this passes %s unconverted, a count of milliseconds by its name: the key lives 1,000 times longer than meant; divide by 1000", o, name)
		return
	} else if t := nowBased(p.model, src.Value, nil); t != nil {
		p.report(op, src, nil, "%s is a lifetime in seconds from now, but this is an absolute Unix time: the key would live for decades; set Expiration instead", o)
		return
	}
	p.unitsPassedIn(op, src, o)
	if p.lowClamp(op, src, min) {
		return // the clamp's floor is the finding (checkFloor), not each value it lets through
	}
	eval := func(f *kvapi.Frame) ([]constant.Value, []*ssa.Parameter) { return p.model.EvalSteered(src, f) }
	// The wrapper's own constants, whatever the caller passes: a floor of
	// 15 s written inside it is reported there, not at each call.
	// A lifetime a policy gives for the kind a caller passes
	// (k.TTL() of PutFor(k, ...)) is not: it is the caller's, and so is
	// not reported here, in a wrapper that callers elsewhere pick from.
	var inside []constant.Value
	if src.Term != nil {
		inside = p.model.EvalUnpicked(kvapi.Source{Term: src.Term, Duration: src.Duration}, nil)
	}
	same := func(c constant.Value) func(constant.Value) bool {
		return func(v constant.Value) bool { return constant.Compare(v, token.EQL, c) }
	}
	fn, _ := kvapi.Outermost(op.Call.Parent()).Object().(*types.Func)
	pickedElsewhere := fn != nil && kvapi.CallableElsewhere(fn)
	var unpicked []constant.Value
	if pickedElsewhere {
		unpicked = p.model.EvalUnpicked(src, nil)
	}
	for _, b := range p.bindings(op, src, eval) {
		for _, c := range b.vals {
			if b.frame == nil && pickedElsewhere && !slices.ContainsFunc(unpicked, same(c)) {
				continue
			}
			own := slices.ContainsFunc(inside, same(c))
			c, secs := inSeconds(c, src.Duration)
			switch {
			case secs == 0 && !src.Explicit:
				// Zero leaves the option unset.
			case own:
			case secs < float64(min):
				var fix *analysis.SuggestedFix
				if b.frame == nil && len(b.vals) == 1 && !src.Duration && p.givenAsIs(src) {
					fix = raiseTo(src, min)
				}
				limit := broken(o, min, secs)
				if fix == nil {
					b = p.atReturn(b, src, secs)
				}
				b.report(p, fix, "%s %s%s is below %s: %s", o, number(c), b.via, minimumPhrase(o, limit), rejection(o, limit))
			case secs >= 1e9 && math.Mod(secs, 1e9) == 0 && p.nanosecondsGiven(b, src):
				b.report(p, nil, "%s %s%s looks like a time.Duration in nanoseconds (%s), but KV reads seconds: use int(d.Seconds())",
					o, c.ExactString(), b.via, time.Duration(secs))
			}
		}
	}
}

// pickedHere reports whether src, a Term fixed inside a wrapper but for
// the kind the caller passes (k.TTL() of PutFor(k, ...)), is one value
// for this call's arguments: the caller picked it. A kind read from the
// request picks nothing here.
func (p *pass) pickedHere(src kvapi.Source) bool {
	if !src.Term.Picked() {
		return false
	}
	vals, free := p.model.EvalSource(src, nil)
	return len(vals) == 1 && len(free) == 0
}

// kept reports whether v, unconverted, is read from memory: a field or
// a variable, not the value of an expression.
func kept(v ssa.Value) bool {
	switch kvapi.Unconverted(v).(type) {
	case *ssa.UnOp, *ssa.Field:
		return true
	}
	return false
}

// millisNamed returns the name of the field or variable that v is read
// from, converted to a number or not, when that name says it counts
// milliseconds (CodeTTLMillis, ttlMs, expiry_ms); "" otherwise.
func millisNamed(v ssa.Value) string {
	var name string
	switch x := kvapi.Unconverted(v).(type) {
	case *ssa.Field:
		if st, ok := x.X.Type().Underlying().(*types.Struct); ok {
			name = st.Field(x.Field).Name()
		}
	case *ssa.UnOp:
		if fa, ok := x.X.(*ssa.FieldAddr); ok && x.Op == token.MUL {
			if st, ok := fa.X.Type().Underlying().(*types.Pointer).Elem().Underlying().(*types.Struct); ok {
				name = st.Field(fa.Field).Name()
			}
		}
	case *ssa.Parameter:
		name = x.Name()
	}
	lower := strings.ToLower(name)
	for _, unit := range []string{"millis", "milliseconds", "msec", "msecs"} {
		if strings.HasSuffix(lower, unit) && len(name) > len(unit) {
			return name
		}
	}
	// TTLMs, ttl_ms; not Items.
	if len(name) > 2 && (strings.HasSuffix(name, "Ms") || strings.HasSuffix(name, "_ms") || strings.HasSuffix(name, "_MS")) {
		return name
	}
	return ""
}

// inSeconds returns a lifetime c in seconds, as a constant and a number:
// c itself, or c nanoseconds when it is given as a time.Duration.
func inSeconds(c constant.Value, duration bool) (constant.Value, float64) {
	secs, _ := constant.Float64Val(c)
	if duration {
		secs /= 1e9
		c = constant.MakeFloat64(secs)
	}
	return c, secs
}

// checkExpiration checks an absolute expiration in seconds since the epoch.
func (p *pass) checkExpiration(op *kvapi.Op, src kvapi.Source) {
	if src.Term != nil && !src.Term.Params() && !p.pickedHere(src) {
		return // fixed inside a wrapper elsewhere, and checked there
	}
	if src.Value != nil && p.checkDurationUnits(op, src, kvapi.Expiration) {
		return
	}
	now := func(f *kvapi.Frame) *nowValue {
		if src.Term != nil {
			return termNow(p.model, src.Term, src.Args, f, 0)
		}
		return nowBased(p.model, src.Value, f)
	}
	if t := now(nil); t != nil {
		if t.unit != "s" && src.Term != nil {
			return // reported in the wrapper
		}
		if t.unit != "s" {
			if t.call != nil && src.Expr != nil && (t.call.Pos() < src.Expr.Pos() || t.call.Pos() >= src.Expr.End()) && t.call.Parent() == op.Call.Parent() && !kept(src.Value) {
				// Made in a local first (exp := ....UnixMilli()): where it is
				// made. (A field that keeps milliseconds for another reader
				// is no mistake until the put.)
				src = kvapi.Source{Pos: t.call.Pos()}
				if e := p.model.CallExpr(t.call.Pos()); e != nil {
					src.Expr = e
				}
			}
			p.report(op, src, p.toSeconds(t, src.Expr), "Expiration is in seconds since the Unix epoch, but this is a Unix time in %s: %s", t.unit, expirationUnitWhy)
			return
		}
		offset := func(f *kvapi.Frame) ([]constant.Value, []*ssa.Parameter) {
			t := now(f)
			if t == nil {
				return nil, nil
			}
			if !t.known {
				return nil, t.free
			}
			return []constant.Value{constant.MakeFloat64(t.offset)}, nil
		}
		start := p.start(op, src)
		for _, b := range p.bindings(op, src, offset) {
			if b.frame != nil && b.value != nil && clockAsIs(p.model, b.value) {
				// The caller hands on the clock as it is: the offset that
				// falls short is added here, and said here once.
				b.pos, b.end, b.via = start.pos, start.end, start.via
			}
			for _, c := range b.vals {
				secs, _ := constant.Float64Val(c)
				p.checkAhead(b, secs)
			}
		}
		return
	}
	p.checkPassedTime(op, src)
	unixNow := time.Now().Unix()
	eval := func(f *kvapi.Frame) ([]constant.Value, []*ssa.Parameter) { return p.model.EvalSource(src, f) }
	for _, b := range p.bindings(op, src, eval) {
		for _, c := range b.vals {
			secs, _ := constant.Float64Val(c)
			switch {
			case secs == 0 && !src.Explicit:
				// Zero leaves the option unset.
			case secs >= 1e11:
				b.report(p, nil, "Expiration %s%s looks like milliseconds, but KV reads seconds since the Unix epoch: %s", c.ExactString(), b.via, expirationUnitWhy)
			case secs < float64(unixNow+int64(p.cfg.Min)):
				hint := ""
				if secs < 1e9 {
					hint = "; for a lifetime relative to now, set ExpirationTTL"
				}
				b.report(p, nil, "Expiration %s%s is %s, in the past: Expiration is an absolute Unix time in seconds, and KV rejects one less than 60 seconds ahead with HTTP 400%s",
					c.ExactString(), b.via, time.Unix(int64(secs), 0).UTC().Format(time.DateOnly), hint)
			}
		}
	}
}

// checkAhead reports an expiration secs ahead of now that is too soon.
func (p *pass) checkAhead(b binding, secs float64) {
	if secs < float64(p.cfg.Min) {
		limit := broken(kvapi.Expiration, p.cfg.Min, secs)
		b.report(p, nil, "Expiration is time.Now() plus %s%s, less than %s ahead: %s",
			time.Duration(secs*1e9), b.via, minimumPhrase(kvapi.Expiration, limit), rejection(kvapi.Expiration, limit))
	}
}

// nanosecondsGiven reports whether a lifetime of whole billions of seconds
// was given where b binds it: at the option itself, passed straight into a
// wrapper elsewhere, or passed to a local wrapper as int(d). (A conversion
// inside a wrapper is reported there.)
func (p *pass) nanosecondsGiven(b binding, src kvapi.Source) bool {
	switch {
	case b.frame != nil:
		return b.arg != nil && p.durationConversionInSyntax(b.arg) != ""
	case src.Term == nil:
		return true
	}
	if in := src.Inputs(); len(in) == 1 && kvapi.IsDuration(in[0].Type()) {
		return false // a time.Duration given as one is made a number inside, and reported there
	}
	t := src.Term
	for t.Op == kvapi.TermPhi && len(t.Args) == 1 {
		t = t.Args[0]
	}
	if t.Op == kvapi.TermParam {
		return true
	}
	// Converted inside the wrapper, perhaps from a time.Duration, which is
	// reported there: here only a conversion written at the argument counts,
	// whatever the wrapper then does with the count (PutTTL(..., int64(d))
	// whose adapter multiplies it by time.Second).
	return src.Expr != nil && p.durationConversionInSyntax(src.Expr) != ""
}

// givenAsIs reports whether the value src gives is the option's value: written
// at the option, or passed unchanged into a wrapper that sets it.
func (p *pass) givenAsIs(src kvapi.Source) bool {
	if src.Term == nil {
		return true
	}
	_, passed := src.Term.Passed()
	return passed
}

// unitsPassedIn checks what each caller of this package gives when the
// option is set from a parameter as it is (put(ctx, key, v, ttlSeconds)):
// float64(g.cacheTTL) passed there is nanoseconds. A constant given is
// checked with the others where it is given.
func (p *pass) unitsPassedIn(op *kvapi.Op, src kvapi.Source, o kvapi.Operand) {
	param, ok := kvapi.Unconverted(src.Value).(*ssa.Parameter)
	if !ok || kvapi.CountsNanoseconds(param.Type()) {
		return // a time.Duration converted here is checked here
	}
	fn := param.Parent()
	i := slices.Index(fn.Params, param)
	for _, call := range p.model.CallSites(fn) {
		args := call.Common().Args
		arg := p.argument(call, fn, param)
		if call.Common().IsInvoke() || arg == nil || i >= len(args) {
			continue
		}
		if _, ok := kvapi.Unconverted(args[i]).(*ssa.Const); !ok {
			p.checkDurationUnits(op, kvapi.Source{Value: args[i], Expr: arg, Pos: arg.Pos()}, o)
		}
	}
}

// wrongUnitMethods are the time.Duration methods that count something
// other than seconds.
var wrongUnitMethods = map[string]bool{"Hours": true, "Minutes": true, "Milliseconds": true, "Microseconds": true, "Nanoseconds": true}

const expirationUnitWhy = "KV rejects a value out of range, or keeps the key for millennia; use .Unix()"

// checkDurationUnits reports a time.Duration turned into a number of
// seconds the wrong way: int(d) is nanoseconds, d.Milliseconds() is
// milliseconds. It reports whether it found one.
func (p *pass) checkDurationUnits(op *kvapi.Op, src kvapi.Source, o kvapi.Operand) bool {
	v := src.Value
	if v == nil {
		// Passed unchanged into a wrapper elsewhere: what the caller gives,
		// int(d) reported where it is written (ttl := int(d); put(ttl)).
		i, passed := src.Term.Passed()
		if !passed || i >= len(src.Args) {
			return false
		}
		v = src.Args[i]
		var from ssa.Value
		switch conv := v.(type) {
		case *ssa.Convert:
			from = conv.X
		case *ssa.ChangeType: // int64(d)
			from = conv.X
		}
		if from == nil || !kvapi.CountsNanoseconds(from.Type()) {
			return false
		}
		src = kvapi.Source{Value: v, Pos: v.Pos()}
	}
	switch conv := v.(type) {
	case *ssa.Convert:
		v = conv.X
	case *ssa.ChangeType:
		if kvapi.CountsNanoseconds(conv.X.Type()) {
			v = conv.X
		}
	}
	var unit string
	counted := false // divided by a unit, which the syntax of int(ttl) does not show
	switch v := v.(type) {
	case *ssa.Call:
		if name := durationMethodName(v); wrongUnitMethods[name] {
			unit = name
		} else if p.durationAsNumber(v) {
			unit = "nanoseconds"
		}
	case *ssa.BinOp:
		// d / time.Second counts seconds; d / time.Millisecond does not,
		// nor does time.Duration(n) * time.Minute.
		if c, ok := v.Y.(*ssa.Const); ok && v.Op == token.QUO && kvapi.CountsNanoseconds(v.Type()) {
			unit, counted = countedUnit(c.Value), true
		} else if kvapi.CountsNanoseconds(v.Type()) {
			unit = "nanoseconds"
		}
	default:
		if kvapi.CountsNanoseconds(v.Type()) {
			unit = "nanoseconds"
		}
	}
	if unit == "" && !counted {
		unit = p.durationConversionInSyntax(src.Expr)
	}
	if unit == "" {
		return false
	}
	what := "a lifetime in seconds"
	if o == kvapi.Expiration {
		what = "an absolute Unix time in seconds"
	}
	duration, use := "a time.Duration", "d.Seconds()"
	if !kvapi.IsDuration(v.Type()) && kvapi.CountsNanoseconds(v.Type()) {
		// A configuration library's Duration, which has no Seconds method.
		duration = "a " + types.TypeString(v.Type(), func(pkg *types.Package) string { return pkg.Name() })
		use = "time.Duration(d).Seconds()"
	}
	p.report(op, src, p.secondsFix(src.Expr, p.minimum(o)), "%s is %s, but this converts %s to %s (int(time.Minute) is 60000000000): use %s", o, what, duration, lower(unit), use)
	return true
}

// minimum is the smallest value of o that kvttl accepts, in seconds. No
// constant duration is an absolute Expiration.
func (p *pass) minimum(o kvapi.Operand) int {
	switch o {
	case kvapi.TTL:
		return p.cfg.Min
	case kvapi.CacheTTL:
		return p.cfg.CacheMin
	}
	return math.MaxInt
}

// durationConversionInSyntax finds int(d) in the source when the type
// checker has already folded it to a constant: int(10 * time.Minute).
// sentAsIs reports whether the operation sends the stored value as it is,
// so that its unit is the one KV reads: a conversion the adapter makes
// (int(o.TTL.Seconds()), at.UnixMilli() / 1000) is the adapter's, and
// checked there.
func sentAsIs(so kvapi.StoredOperand) bool {
	t := so.Template
	for t != nil && t.Op == kvapi.TermConvert && len(t.Args) == 1 {
		t = t.Args[0]
	}
	return t != nil && t.Op == kvapi.TermParam
}

// toNumber reports whether e converts to a plain number type, int(d), and
// not to a duration type of the program's own, Duration(d).
func (p *pass) toNumber(e ast.Expr) bool {
	call, ok := ast.Unparen(e).(*ast.CallExpr)
	if !ok {
		return false
	}
	_, basic := types.Unalias(p.info.TypesInfo.TypeOf(call.Fun)).(*types.Basic)
	return basic
}

func (p *pass) durationConversionInSyntax(e ast.Expr) string {
	call, ok := ast.Unparen(e).(*ast.CallExpr)
	if !ok || len(call.Args) != 1 || !p.info.TypesInfo.Types[call.Fun].IsType() {
		return ""
	}
	arg := ast.Unparen(call.Args[0])
	if tv, ok := p.info.TypesInfo.Types[arg]; !ok || !kvapi.IsDuration(tv.Type) {
		return ""
	}
	if bin, ok := arg.(*ast.BinaryExpr); ok && bin.Op == token.QUO {
		// int(d / time.Second) counts seconds, d / time.Millisecond not.
		if tv := p.info.TypesInfo.Types[bin.Y]; tv.Value != nil {
			return countedUnit(tv.Value)
		}
		return ""
	}
	return "nanoseconds"
}

// countedUnit names the unit that d / divisor counts, or "" for seconds
// and for divisors that are no unit.
func countedUnit(divisor constant.Value) string {
	if divisor == nil {
		return ""
	}
	switch d, _ := constant.Int64Val(constant.ToInt(divisor)); d {
	case int64(time.Nanosecond):
		return "nanoseconds"
	case int64(time.Microsecond):
		return "microseconds"
	case int64(time.Millisecond):
		return "milliseconds"
	case int64(time.Minute):
		return "minutes"
	case int64(time.Hour):
		return "hours"
	}
	return ""
}

func durationMethodName(call *ssa.Call) string {
	callee := call.Call.StaticCallee()
	if callee == nil || callee.Signature.Recv() == nil || !kvapi.IsDuration(callee.Signature.Recv().Type()) {
		return ""
	}
	return callee.Name()
}

// durationAsNumber reports whether call hands a time.Duration to a generic
// function over plain numbers that uses the count as it is,
// Seconds[T ~int | ~int64 | ~float64](v T), which sees nanoseconds.
func (p *pass) durationAsNumber(call *ssa.Call) bool {
	callee := call.Call.StaticCallee()
	if callee == nil || callee.Origin() == nil || kvapi.IsDuration(call.Type()) {
		return false
	}
	fn, ok := callee.Origin().Object().(*types.Func)
	if !ok || !p.model.RawCount(fn) {
		return false
	}
	params := fn.Signature().Params()
	for i := range params.Len() {
		tp, ok := types.Unalias(params.At(i).Type()).(*types.TypeParam)
		if ok && i < len(call.Call.Args) && kvapi.IsDuration(call.Call.Args[i].Type()) && kvapi.NumbersOnly(tp.Constraint()) {
			return true
		}
	}
	return false
}

// report reports a finding at the operand's expression, or failing that
// where it was given, or the call.
func (p *pass) report(op *kvapi.Op, src kvapi.Source, fix *analysis.SuggestedFix, format string, args ...any) {
	d := analysis.Diagnostic{Pos: op.Pos(), Message: fmt.Sprintf(format, args...)}
	switch {
	case src.Expr != nil:
		d.Pos, d.End = src.Expr.Pos(), src.Expr.End()
	case src.Pos.IsValid():
		d.Pos = src.Pos
	}
	if fix != nil {
		d.SuggestedFixes = []analysis.SuggestedFix{*fix}
	}
	p.emit(d)
}

// broken returns the minimum that secs breaks: KV's own, when secs is
// below it, so that the message says KV rejects it; else the configured
// min, a team's rule.
func broken(o kvapi.Operand, min int, secs float64) int {
	floor := DefaultConfig.Min
	if o == kvapi.CacheTTL {
		floor = DefaultConfig.CacheMin
	}
	if secs < float64(floor) {
		return floor
	}
	return min
}

func minimumPhrase(o kvapi.Operand, min int) string {
	switch {
	case o == kvapi.CacheTTL && min == DefaultConfig.CacheMin:
		return "the runtime's 30-second minimum"
	case o == kvapi.CacheTTL:
		return fmt.Sprintf("the configured %d-second minimum", min)
	case min == DefaultConfig.Min:
		return "KV's 60-second minimum"
	}
	return fmt.Sprintf("the configured %d-second minimum", min)
}

func rejection(o kvapi.Operand, min int) string {
	switch {
	case min > DefaultConfig.Min && o != kvapi.CacheTTL, min > DefaultConfig.CacheMin && o == kvapi.CacheTTL:
		return "raise it"
	case o == kvapi.CacheTTL:
		return `the get fails ("Invalid cache_ttl ... must be at least 30"); omit CacheTTL for the 60-second default`
	case o == kvapi.Expiration:
		return "the put fails with HTTP 400 (\"Expiration times must be at least 60 seconds in the future\")"
	}
	return "the put fails with HTTP 400 (\"Expiration TTL must be at least 60\"); for shorter lifetimes use the Cache API or a Durable Object"
}

func lower(unit string) string { return strings.ToLower(unit) }

// number writes a number of seconds as a reader would: 30, 0.0156, not
// the exact fraction a conversion of nanoseconds leaves.
func number(c constant.Value) string {
	if c.Kind() == constant.Int {
		return c.ExactString()
	}
	f, _ := constant.Float64Val(constant.ToFloat(c))
	return strconv.FormatFloat(f, 'g', 3, 64)
}
