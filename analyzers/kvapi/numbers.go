package kvapi

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"math"
	"strconv"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
	"golang.org/x/tools/go/types/typeutil"
)

// Number helpers of other packages. A lifetime is often converted by a
// helper of the storage port's package, kvstore.SecondsOf(d) returning
// Seconds(d / time.Second); a numberFact carries the helper's Term, so
// that a caller elsewhere evaluates and bounds what it is given as the
// helper computes it: SecondsOf(max(2*window, 10*time.Second)) has a
// floor of 10.

// A policy of another package, often one that does not use KV itself,
// is a number helper too: func (t Tier) TTL() time.Duration returns 20
// seconds for TierLive, 5 minutes for the rest. Its Term is each return
// under the branches that lead to it, so a caller with a known tier gets
// that tier's value and one without gets every value.

// A numberFact is the Term of what a function returns, when it returns
// one number computed from its parameters and constants alone.
type numberFact struct {
	Term *Term
	// Returns are the returns that give a constant, each with its value
	// and its position as file:line:column, so that a lifetime a method of
	// another package decides (cfg.PresenceTTL() kept in a field) is
	// reported where it is written.
	Returns []ConstReturn
	// CountdownAt is, for a function that counts down to a moment from
	// its one return (Slot.TTL(), time.Until(s.Start)), that return's
	// file:line:column: where the lifetime is written.
	CountdownAt string
}

// A ConstReturn is a return statement that gives a constant.
type ConstReturn struct {
	Value string // constant.Value.ExactString
	Posn  string
}

func (*numberFact) AFact() {}

func (f *numberFact) String() string { return "kv number: " + f.Term.String() }

// exportNumbers exports a numberFact for each of the package's number
// helpers.
func (r *Result) exportNumbers() {
	for _, fn := range r.funcs {
		obj, ok := fn.Object().(*types.Func)
		if !ok || fn.Parent() != nil || !numeric(fn.Signature) && !predicate(fn.Signature) {
			continue
		}
		t := r.returnTerm(fn)
		if t == nil {
			t = r.eachReturn(fn)
		}
		switch {
		case t != nil && selfContained(t) && (t.Params() || t.Op == TermPhi || t.Op == TermConst):
			r.pass.ExportObjectFact(obj, &numberFact{Term: t, Returns: r.constReturns(fn)})
		case r.countsDown(fn):
			// UntilEndOfMonth(now, loc): what is left until a moment,
			// known to callers as a countdown with no floor.
			fact := &numberFact{Term: &Term{Op: TermCall, Name: "time.Until"}}
			if pos := onlyReturn(fn); pos.IsValid() {
				fact.CountdownAt = r.pass.Fset.Position(pos).String()
			}
			r.pass.ExportObjectFact(obj, fact)
		}
	}
}

// countsDown reports whether every return of fn, which returns a
// time.Duration, counts down to a moment with nothing to keep it above
// zero: end.Sub(now), time.Until(deadline).
func (r *Result) countsDown(fn *ssa.Function) bool {
	if !IsDuration(fn.Signature.Results().At(0).Type()) {
		return false
	}
	found := false
	for _, b := range fn.Blocks {
		ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
		if !ok || len(ret.Results) != 1 {
			continue
		}
		e := &evaluator{model: r}
		bound := e.bound(ret.Results[0], b, nil, 0)
		if !bound.Countdown || bound.Floored && bound.Floor > 0 {
			return false
		}
		found = true
	}
	return found
}

// onlyReturn returns the position of fn's return, if it has one.
func onlyReturn(fn *ssa.Function) token.Pos {
	if ret := soleReturn(fn); ret != nil {
		return ret.Pos()
	}
	return token.NoPos
}

// soleReturn returns fn's return, if it has one and only one.
func soleReturn(fn *ssa.Function) *ssa.Return {
	var only *ssa.Return
	for _, b := range fn.Blocks {
		if ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return); ok {
			if only != nil {
				return nil
			}
			only = ret
		}
	}
	return only
}

// RecordCountdown returns, for an operand that src's wrapper asks its
// record for (rec.TTL() in Save[T Record]), the return of the record's
// method that counts down to a moment (time.Until(s.Start)): where the
// lifetime is written. NoPos when that is not known.
func (r *Result) RecordCountdown(src Source, f *Frame) token.Pos {
	var recv ssa.Value
	var name string
	switch {
	case src.Term != nil:
		if recv, name = src.askedRecord(); recv == nil {
			return token.NoPos
		}
	case src.Value != nil:
		call := recordCall(src.Value, 0)
		if call == nil {
			return token.NoPos
		}
		recv, name = call.Call.Value, call.Call.Method.Name()
	default:
		return token.NoPos
	}
	recv, _, _ = given(recv, f) // (a parameter of a concrete type has that type's method)
	m := r.methodNamed(recv.Type(), strings.TrimPrefix(name, keyMethodPrefix))
	switch {
	case m == nil:
		return token.NoPos
	case m.Pkg == r.pkg:
		if r.countsDown(m) {
			return onlyReturn(m)
		}
		return token.NoPos
	}
	obj, ok := m.Object().(*types.Func)
	fact := new(numberFact)
	if !ok || !r.pass.ImportObjectFact(obj, fact) || fact.CountdownAt == "" {
		return token.NoPos
	}
	return positionIn(r.pass.Fset, fact.CountdownAt)
}

// KeyRecord returns the argument whose own method gives src's key,
// rec of rec.Key() in a Remove[T Record](ctx, s, rec), as the caller
// gave it; nil for another key.
func (src Source) KeyRecord() ssa.Value {
	rec, _ := src.askedRecord()
	return rec
}

// askedRecord returns the argument that src's wrapper asks for an
// operand through the argument's own method, and that method's name:
// rec and TTL of rec.TTL() in Save[T Record].
func (src Source) askedRecord() (ssa.Value, string) {
	if src.Term == nil {
		return nil, ""
	}
	asked := src.Term.Find(func(t *Term) bool {
		return t.Op == TermCall && strings.HasPrefix(t.Name, keyMethodPrefix) && len(t.Args) == 1 &&
			t.Args[0].Op == TermParam && t.Args[0].Index < len(src.Args)
	})
	if asked == nil {
		return nil, ""
	}
	return retyped(src.Args[asked.Args[0].Index]), strings.TrimPrefix(asked.Name, keyMethodPrefix)
}

// recordCall returns the call in v that asks a record for a number
// through an interface or type parameter: rec.TTL() in
// int(rec.TTL().Seconds()).
func recordCall(v ssa.Value, depth int) *ssa.Call {
	if depth > 4 {
		return nil
	}
	switch x := v.(type) {
	case *ssa.Call:
		if _, ok := ownMethod(x); ok {
			return x
		}
		if x.Call.IsInvoke() || len(x.Call.Args) != 1 {
			return nil
		}
		return recordCall(x.Call.Args[0], depth+1) // (time.Duration).Seconds
	case *ssa.Convert:
		return recordCall(x.X, depth+1)
	case *ssa.ChangeType:
		return recordCall(x.X, depth+1)
	}
	return nil
}

// constReturns lists fn's returns whose result is a constant, and those
// of a policy of this package that fn returns (see policyTerm), where
// the constant is written.
func (r *Result) constReturns(fn *ssa.Function) []ConstReturn {
	var out []ConstReturn
	var walk func(fn *ssa.Function, depth int)
	walk = func(fn *ssa.Function, depth int) {
		for _, b := range fn.Blocks {
			ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
			if !ok || len(ret.Results) != 1 || !ret.Pos().IsValid() {
				continue
			}
			switch x := ret.Results[0].(type) {
			case *ssa.Const:
				if x.Value != nil {
					out = append(out, ConstReturn{Value: x.Value.ExactString(), Posn: r.pass.Fset.Position(ret.Pos()).String()})
				}
			case *ssa.Call:
				if callee := x.Call.StaticCallee(); callee != nil && depth < 3 && r.policyTerm(callee) != nil {
					walk(callee, depth+1)
				}
			}
		}
	}
	walk(fn, 0)
	return out
}

// policyTerm is the Term of a policy of this package that a method of a
// record returns: Tier.TTL(), which p.Tier.TTL() in ArchivePage.TTL()
// returns, with one value per tier. Only a function with no parameters
// but its receiver counts: its value depends on the value it is asked,
// not on what a caller passes.
func (r *Result) policyTerm(fn *ssa.Function) *Term {
	if origin := fn.Origin(); origin != nil {
		fn = origin
	}
	if fn.Pkg != r.pkg || fn.Blocks == nil || fn.Signature.Params().Len() > 0 || !numeric(fn.Signature) {
		return nil
	}
	if t, ok := r.policies[fn]; ok {
		return t
	}
	if r.policies == nil {
		r.policies = make(map[*ssa.Function]*Term)
	}
	r.policies[fn] = nil // while it is compiled: recursion knows nothing
	t := r.eachReturn(fn)
	if t != nil && !selfContained(t) {
		t = nil
	}
	r.policies[fn] = t
	return t
}

// ReturnOf returns where obj, a function of another package, returns
// the constant c, when one of its returns does: in the file set that this
// package was loaded with, if it holds that file (the kvlint command
// loads every package's files; go vet only this package's).
func (r *Result) ReturnOf(obj *types.Func, c constant.Value) token.Pos {
	fact := new(numberFact)
	if obj.Pkg() == r.pass.Pkg || !r.pass.ImportObjectFact(obj, fact) {
		return token.NoPos
	}
	posn := ""
	for _, ret := range fact.Returns {
		if v := constant.MakeFromLiteral(ret.Value, token.INT, 0); v.Kind() != constant.Unknown && constant.Compare(v, token.EQL, c) {
			if posn != "" {
				return token.NoPos // two returns give it
			}
			posn = ret.Posn
		}
	}
	return positionIn(r.pass.Fset, posn)
}

// positionIn returns the position that posn (file:line:column) names in
// fset, if fset holds that file with that line.
func positionIn(fset *token.FileSet, posn string) token.Pos {
	rest, col, ok := cutLastNumber(posn)
	if !ok {
		return token.NoPos
	}
	name, line, ok := cutLastNumber(rest)
	if !ok {
		return token.NoPos
	}
	pos := token.NoPos
	fset.Iterate(func(f *token.File) bool {
		if f.Name() != name || line > f.LineCount() {
			return true
		}
		start := f.LineStart(line)
		pos = start + token.Pos(col-1)
		if int(pos) > f.Base()+f.Size() || f.Line(pos) != line {
			// (The files of export data, as go vet loads them, hold
			// lines but not their lengths.)
			pos = start
		}
		return false
	})
	return pos
}

// cutLastNumber splits "a:b:12" into "a:b" and 12.
func cutLastNumber(s string) (string, int, bool) {
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return "", 0, false
	}
	n, err := strconv.Atoi(s[i+1:])
	return s[:i], n, err == nil && n > 0
}

// eachReturn is the Term of a number helper that returns different
// values on different paths: one argument per return, under the
// conditions on its parameters that lead there.
func (r *Result) eachReturn(fn *ssa.Function) *Term {
	c := &compiler{model: r, fn: fn}
	t := &Term{Op: TermPhi}
	for _, b := range fn.Blocks {
		ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
		if !ok || len(ret.Results) != 1 {
			continue
		}
		// A return that several cases share (case KindTelemetry,
		// KindAudit: return 500) is one way per case into it.
		for _, conds := range c.waysInto(b) {
			t.Args = append(t.Args, passedOn(c.term(ret.Results[0], 0), conds))
			t.Conds = append(t.Conds, conds)
		}
	}
	if len(t.Args) < 2 {
		return nil
	}
	return t
}

// waysInto returns the conditions of each way into b: Conds(b), or,
// where b joins several branches, those of each branch in turn.
func (c *compiler) waysInto(b *ssa.BasicBlock) [][]Cond {
	if len(b.Preds) < 2 {
		return [][]Cond{c.Conds(b, 0)}
	}
	var ways [][]Cond
	for _, pred := range b.Preds {
		ways = append(ways, append(c.branch(pred, b, 0), c.Conds(pred, 0)...))
	}
	return ways
}

// passedOn returns the parameter that a constant returned is equal to on
// its path: "if d == 0 { return 0 }" returns d, which a caller that only
// passes positive lifetimes never sees as 0.
func passedOn(ret *Term, conds []Cond) *Term {
	if ret.Op != TermConst {
		return ret
	}
	for _, c := range conds {
		eq := c.Term
		if eq.Op != TermBinOp || len(eq.Args) != 2 || !(eq.Tok == token.EQL && c.Want || eq.Tok == token.NEQ && !c.Want) {
			continue
		}
		for i, a := range eq.Args {
			other := eq.Args[1-i]
			if a.Op == TermParam && other.Op == TermConst && other.Value == ret.Value {
				return a
			}
		}
	}
	return ret
}

// selfContained reports whether t is computed from parameters and constants
// alone, in its values and in its conditions.
func selfContained(t *Term) bool {
	switch t.Op {
	case TermOpaque, TermGlobal, TermElems, TermQuery:
		return false
	case TermField:
		if len(t.Args) == 0 {
			return false
		}
	}
	for _, a := range t.Args {
		if !selfContained(a) {
			return false
		}
	}
	for _, conds := range t.Conds {
		for _, c := range conds {
			if !selfContained(c.Term) {
				return false
			}
		}
	}
	return true
}

// exportPolicies exports the number helpers of a package that does not
// use KV, when it declares any: a function or method with one number
// result and a constant return. Only then is the package built.
func exportPolicies(pass *analysis.Pass) {
	if !declaresPolicy(pass) {
		return
	}
	r := &Result{pass: pass, ifaces: new(Interfaces)}
	r.pkg = buildSSA(pass)
	r.funcs = sourceFunctions(pass, r.pkg)
	r.exportNumbers()
	r.exportChoices()
	r.exportTables()
}

// declaresPolicy reports whether one of the package's functions that
// other packages can call returns one number, and has a return of a
// constant that could be a policy or converts a lifetime.
func declaresPolicy(pass *analysis.Pass) bool {
	for _, name := range pass.Pkg.Scope().Names() {
		if v, ok := pass.Pkg.Scope().Lookup(name).(*types.Var); ok && v.Exported() && numericMap(types.NewPointer(v.Type())) {
			return true // a table of lifetimes (see exportTables)
		}
	}
	for _, file := range pass.Files {
		for _, decl := range file.Decls {
			decl, ok := decl.(*ast.FuncDecl)
			if !ok || decl.Body == nil {
				continue
			}
			fn, ok := pass.TypesInfo.Defs[decl.Name].(*types.Func)
			if !ok || !CallableElsewhere(fn) {
				continue
			}
			if _, ok := returnedStruct(fn.Signature()); ok && returnsChoice(pass.TypesInfo, decl) {
				return true // policy.For(plan), one literal per plan
			}
			if !numeric(fn.Signature()) {
				continue
			}
			if convertsTime(fn.Signature()) || parsesDuration(pass.TypesInfo, decl) {
				return true // o.Seconds() of a port's options; MustDuration("45s")
			}
			found := false
			ast.Inspect(decl.Body, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.FuncLit:
					return false
				case *ast.ReturnStmt:
					if len(n.Results) == 1 && policyConstant(pass.TypesInfo.Types[n.Results[0]].Value) {
						found = true
					}
				}
				return !found
			})
			if found {
				return true
			}
		}
	}
	return false
}

// CallableElsewhere reports whether another package can call fn: it is
// exported, and so is the type it is a method of. Only those need a summary.
func CallableElsewhere(fn *types.Func) bool {
	if !fn.Exported() {
		return false
	}
	if fn.Signature().Recv() == nil {
		return true
	}
	tn := receiverType(fn)
	return tn == nil || tn.Exported()
}

// convertsTime reports whether sig takes a time or a duration, or a
// struct with one, as its receiver or a parameter: a helper that turns a
// lifetime into the SDK's seconds.
func convertsTime(sig *types.Signature) bool {
	vars := []*types.Var{sig.Recv()}
	for v := range sig.Params().Variables() {
		vars = append(vars, v)
	}
	for _, v := range vars {
		if v == nil {
			continue
		}
		if IsTime(v.Type()) || IsDuration(v.Type()) {
			return true
		}
		if tp, ok := types.Unalias(v.Type()).(*types.TypeParam); ok && NumbersOnly(tp.Constraint()) {
			return true // Seconds[D ~int | ~int64](d D), often given a time.Duration
		}
		if st, ok := derefStruct(v.Type()); ok {
			for f := range st.Fields() {
				if IsTime(f.Type()) || IsDuration(f.Type()) {
					return true
				}
			}
		}
	}
	return false
}

// parsesDuration reports whether decl's body calls time.ParseDuration:
// a helper that reads a lifetime written as text, MustDuration("45s").
func parsesDuration(info *types.Info, decl *ast.FuncDecl) bool {
	found := false
	ast.Inspect(decl.Body, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok {
			if fn, ok := typeutil.Callee(info, call).(*types.Func); ok && fn.FullName() == "time.ParseDuration" {
				found = true
			}
		}
		return !found
	})
	return found
}

// policyConstant reports whether v could be a lifetime, limit or size.
// 0 and ±1 are what most number helpers return (none, a sign, an index)
// and would have every package built for nothing.
func policyConstant(v constant.Value) bool {
	if v == nil {
		return false
	}
	f, _ := constant.Float64Val(constant.ToFloat(v))
	return math.Abs(f) > 1
}

// predicate reports whether sig returns one bool: st.Terminal(), whose
// Term tells a caller which statuses its "if st.Terminal() { return }"
// leaves out.
func predicate(sig *types.Signature) bool {
	return sig.Results().Len() == 1 && basic(sig.Results().At(0).Type(), types.IsBoolean)
}

// numeric reports whether sig returns one integer or float.
func numeric(sig *types.Signature) bool {
	return sig.Results().Len() == 1 && basic(sig.Results().At(0).Type(), types.IsInteger|types.IsFloat)
}

// numberTerm returns the Term of what a number helper of another package
// returns, nil if it is not one.
func (r *Result) numberTerm(fn *ssa.Function) *Term {
	if origin := fn.Origin(); origin != nil && origin.Pkg != r.pkg {
		fn = origin // Seconds[time.Duration], which the builder made here
	}
	if fn.Blocks != nil || !numeric(fn.Signature) && !predicate(fn.Signature) {
		return nil
	}
	obj, ok := fn.Object().(*types.Func)
	if !ok {
		return nil
	}
	fact := new(numberFact)
	if !r.pass.ImportObjectFact(obj, fact) {
		return nil
	}
	return fact.Term
}
