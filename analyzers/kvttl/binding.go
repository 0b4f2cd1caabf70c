package kvttl

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/kvlint/kvlint/analyzers/kvapi"
)

// maxWrapperDepth bounds how many wrapper functions a value is followed
// out through: Cache.Set calling put calling PutString is two.
const maxWrapperDepth = 3

// A binding is one way an operand's value becomes known: in the function
// of the operation itself (frame nil), or for one caller of the wrapper
// function that contains it, where the finding is reported.
type binding struct {
	vals     []constant.Value
	frame    *kvapi.Frame
	pos, end token.Pos
	arg      ast.Expr  // the caller's argument, when frame is not nil
	value    ssa.Value // what is given where the binding is reported, if known
	via      string    // " (passed to Cache.Set)" for a caller of a wrapper
}

func (b binding) report(p *pass, fix *analysis.SuggestedFix, format string, args ...any) {
	d := analysis.Diagnostic{Pos: b.pos, End: b.end, Message: fmt.Sprintf(format, args...)}
	if fix != nil {
		d.SuggestedFixes = []analysis.SuggestedFix{*fix}
	}
	p.emit(d)
}

// bindings evaluates an operand with eval in the operation's own function,
// then for each caller of the wrapper functions its value depends on, out
// to maxWrapperDepth. Each binding holds only the values first known at its
// level, so a constant inside the wrapper is not reported again per caller.
func (p *pass) bindings(op *kvapi.Op, src kvapi.Source, eval func(*kvapi.Frame) ([]constant.Value, []*ssa.Parameter)) []binding {
	var out []binding
	field := optionField(src)
	if src.Term == nil && src.Value != nil {
		if _, name, ok := paramField(kvapi.Unconverted(src.Value)); ok {
			field = name
		}
	}
	contains := func(vals []constant.Value, v constant.Value) bool {
		return slices.ContainsFunc(vals, func(s constant.Value) bool { return s.Kind() == v.Kind() && constant.Compare(s, token.EQL, v) })
	}
	// callers returns the bindings of param for each call of its
	// function, reported at the argument given there.
	callers := func(b binding, param *ssa.Parameter) []binding {
		var out []binding
		fn := param.Parent()
		for _, call := range p.model.CallSites(fn) {
			next := binding{frame: b.frame.WithCaller(call, fn), pos: call.Pos(), via: " (passed to " + funcName(fn) + ")"}
			if e := p.model.CallExpr(call.Pos()); e != nil {
				next.end = e.End() // the whole call, which holds any option reported inside it
			}
			if i := slices.Index(fn.Params, param); !call.Common().IsInvoke() && i >= 0 && i < len(call.Common().Args) {
				next.value = call.Common().Args[i]
			}
			if arg := p.argument(call, fn, param); arg != nil {
				next.pos, next.end, next.arg = arg.Pos(), arg.End(), arg
				if e := fieldIn(arg, field); e != nil {
					next.pos, next.end = e.Pos(), e.End() // the option in the caller's struct
				} else if e := p.fieldStored(next.value, field); e != nil {
					next.pos, next.end = e.Pos(), e.End() // o := s.defaults; o.TTL = ttl
				} else if pos := localFieldSet(next.value); pos.IsValid() {
					next.pos, next.end = pos, pos // cfg.TTL = 30 * time.Second
				}
			}
			out = append(out, next)
		}
		return out
	}
	// Each caller's frame is evaluated to see whether it picks a value,
	// then walked: once is enough.
	type evaluated struct {
		vals []constant.Value
		free []*ssa.Parameter
	}
	memo := make(map[*kvapi.Frame]evaluated)
	evalOnce := func(f *kvapi.Frame) ([]constant.Value, []*ssa.Parameter) {
		if e, ok := memo[f]; ok {
			return e.vals, e.free
		}
		vals, free := eval(f)
		memo[f] = evaluated{vals, free}
		return vals, free
	}
	var walk func(b binding, seen []constant.Value, depth int)
	walk = func(b binding, seen []constant.Value, depth int) {
		if !p.reachable(op, b.frame) || !p.model.ReachableSource(src, b.frame) ||
			src.Block != nil && !p.model.Reachable(src.Block, b.frame) {
			return
		}
		vals, free := evalOnce(b.frame)
		var next []binding
		if depth < maxWrapperDepth {
			for _, param := range free {
				next = append(next, callers(b, param)...)
			}
		}
		// A value that a caller picks, where the values here are all
		// that any caller could (a tier's lifetime by a switch on the
		// tier it is given), is the caller's: reported where it picks
		// it, not here.
		var picked []constant.Value
		narrows := make([]bool, len(next))
		for i, n := range next {
			given, _ := evalOnce(n.frame)
			if len(given) == 0 || len(given) >= len(vals) || !slices.ContainsFunc(given, func(v constant.Value) bool { return contains(vals, v) }) {
				continue
			}
			narrows[i] = true
			picked = append(picked, given...)
		}
		for _, v := range vals {
			if !contains(seen, v) && !contains(picked, v) {
				b.vals = append(b.vals, v)
			}
		}
		if len(b.vals) > 0 {
			out = append(out, b)
		}
		// What is known here is not reported again per caller, but for
		// what a caller picks.
		kept := slices.DeleteFunc(slices.Clone(vals), func(v constant.Value) bool { return contains(picked, v) })
		for i, n := range next {
			if narrows[i] {
				walk(n, kept, depth+1)
			} else {
				walk(n, vals, depth+1)
			}
		}
	}
	walk(p.start(op, src), nil, 0)
	return out
}

// optionField names the field of a struct parameter that src reads the
// operand from, (ExpireAt $3) or (ExpireAt (elems $3)); "" if none.
func optionField(src kvapi.Source) string {
	if src.Term == nil {
		return ""
	}
	field := src.Term.Find(func(t *kvapi.Term) bool {
		if t.Op != kvapi.TermField || len(t.Args) != 1 {
			return false
		}
		base := t.Args[0]
		if base.Op == kvapi.TermElems && len(base.Args) == 1 {
			base = base.Args[0]
		}
		return base.Op == kvapi.TermParam
	})
	if field == nil {
		return ""
	}
	return field.Name
}

// fieldIn returns the value given for field name in arg, when arg is a
// composite literal (or its address) that sets it.
func fieldIn(arg ast.Expr, name string) ast.Expr {
	if u, ok := arg.(*ast.UnaryExpr); ok && u.Op == token.AND {
		arg = u.X
	}
	lit, ok := arg.(*ast.CompositeLit)
	if !ok || name == "" {
		return nil
	}
	for _, elt := range lit.Elts {
		if kv, ok := elt.(*ast.KeyValueExpr); ok {
			if id, ok := kv.Key.(*ast.Ident); ok && id.Name == name {
				return kv.Value
			}
		}
	}
	return nil
}

// fieldStored returns the value assigned to field name of v, a local
// struct variable passed whole or by pointer, when it is assigned once:
// the per-call copy of a defaults struct, o := s.defaults; o.TTL = ttl,
// or options built lines above the call, opts := &kv.PutOptions{...}.
func (p *pass) fieldStored(v ssa.Value, name string) ast.Expr {
	if name == "" {
		return nil
	}
	local, ok := v.(*ssa.Alloc)
	if load, isLoad := v.(*ssa.UnOp); isLoad && load.Op == token.MUL {
		local, ok = load.X.(*ssa.Alloc)
	}
	if !ok {
		return nil
	}
	st, ok := local.Type().Underlying().(*types.Pointer).Elem().Underlying().(*types.Struct)
	if !ok {
		return nil
	}
	found := token.NoPos
	for _, ref := range *local.Referrers() {
		fa, ok := ref.(*ssa.FieldAddr)
		if !ok || fa.Field >= st.NumFields() || st.Field(fa.Field).Name() != name {
			continue
		}
		for _, use := range *fa.Referrers() {
			if store, ok := use.(*ssa.Store); ok && store.Addr == fa {
				if found.IsValid() {
					return nil // set on two paths: say so at the call
				}
				found = store.Pos()
			}
		}
	}
	for _, n := range p.model.Path(found) {
		if kv, ok := n.(*ast.KeyValueExpr); ok {
			if id, ok := kv.Key.(*ast.Ident); ok && id.Name == name {
				return kv.Value
			}
		}
		if assign, ok := n.(*ast.AssignStmt); ok && len(assign.Lhs) == len(assign.Rhs) {
			for i, lhs := range assign.Lhs {
				if sel, ok := lhs.(*ast.SelectorExpr); ok && sel.Sel.Name == name && sel.Pos() <= found && found < sel.End() {
					return assign.Rhs[i]
				}
			}
		}
	}
	return nil
}

// start is the binding in the operation's own function: reported at the
// operand's expression, and naming the wrapper it is passed to, if any.
func (p *pass) start(op *kvapi.Op, src kvapi.Source) binding {
	start := binding{pos: src.Pos, value: src.Value}
	if src.Value == nil && src.Term != nil {
		// What the caller gives the wrapper, the (first) parameter the
		// operand is computed from: ttl in int(ttl.Seconds()). It only
		// guides where to report (see atReturn).
		if p := src.Term.Find(func(t *kvapi.Term) bool { return t.Op == kvapi.TermParam }); p != nil && p.Index < len(src.Args) {
			start.value = src.Args[p.Index]
		}
	}
	if op.Wrapper != nil {
		name := op.Wrapper.Pkg().Name() + "." + op.Method.Name
		common := op.Call.Common()
		if callee := common.StaticCallee(); callee != nil && callee.Pkg == op.Call.Parent().Pkg {
			name = funcName(callee)
		} else if named, ok := types.Unalias(common.Value.Type()).(*types.Named); ok && common.IsInvoke() {
			name = named.Obj().Name() + "." + common.Method.Name() // the storage port
		}
		start.via = " (passed to " + name + ")"
		if op.Wrapped.Field != "" {
			start.via = " (passed to " + name + ", which keeps it in " + op.Wrapped.Field + ")"
		}
	}
	if src.Expr != nil {
		start.pos, start.end = src.Expr.Pos(), src.Expr.End()
		if op.Wrapped != nil && op.Wrapped.Field != "" {
			// The literal that fills the kept field: at the field's value.
			kept := op.Wrapped.Field[strings.LastIndex(op.Wrapped.Field, ".")+1:]
			if v := fieldIn(src.Expr, kept); v != nil {
				start.pos, start.end = v.Pos(), v.End()
			}
		}
	} else if !start.pos.IsValid() {
		start.pos = op.Pos()
	}
	if pos := localFieldSet(start.value); pos.IsValid() {
		// A field of a settings struct of this function, set once (var
		// cfg struct{ TTL time.Duration }; cfg.TTL = 30 * time.Second):
		// where it is set.
		start.pos, start.end = pos, pos
	}
	if op.Wrapped != nil && op.Wrapped.Field != "" && start.value != nil {
		// Kept for later puts, from a copy of settings changed here (pc :=
		// cfg.Cache; pc.TTL = 45 * time.Second): where it is set.
		if pos := kvapi.FieldSetAt(start.value); pos.IsValid() {
			start.pos, start.end = pos, pos
		}
	}
	if e := p.chosenBefore(start.value, start.pos, start.end); e != nil {
		start.pos, start.end = e.Pos(), e.End()
	}
	if param, ok := kvapi.Unconverted(start.value).(*ssa.Parameter); ok {
		// A closure's parameter that the function it is handed to fills
		// from the hand-over: WithLifetime(ctx, 40*time.Second, func(ctx,
		// ttl) { ... }) is reported at 40*time.Second.
		if arg, callee := p.model.HandedArg(param); arg != nil {
			start.pos, start.end = arg.Pos(), arg.End()
			start.via = " (passed to " + callee.Pkg().Name() + "." + callee.Name() + ")"
		}
	}
	if start.pos == op.Pos() && !start.end.IsValid() {
		start.end = op.End() // the call, which holds any option reported inside it
	}
	return start
}

// chosenBefore returns the call that chose v, when v is the result of a
// helper that returns one of its arguments, called outside [pos, end),
// where v is used: ttl := lo.Ternary(public, time.Hour, 30*time.Second)
// on a line of its own, the choice the finding is about.
// The choice may be of a Duration sent in seconds: int(ttl.Seconds()).
func (p *pass) chosenBefore(v ssa.Value, pos, end token.Pos) *ast.CallExpr {
	for v != nil {
		switch x := kvapi.Unconverted(v).(type) {
		case *ssa.Call:
			if kvapi.CalleeName(x) == "(time.Duration).Seconds" {
				v = x.Call.Args[0]
				continue
			}
			if !p.model.Picks(x) || pos <= x.Pos() && (!end.IsValid() || x.Pos() < end) {
				return nil
			}
			return p.model.CallExpr(x.Pos())
		case *ssa.BinOp:
			if _, unit := x.Y.(*ssa.Const); !unit || x.Op != token.QUO {
				return nil
			}
			v = x.X // ttl / time.Second
		default:
			return nil
		}
	}
	return nil
}

// localFieldSet returns where v, a field of a struct variable of its
// function, is set, when that is done once: var cfg struct{ TTL
// time.Duration }; cfg.TTL = 30 * time.Second, or a copy of defaults
// changed here (fresh := defaultSweep; fresh.TTL = ...); or a field of
// any struct that the function sets just before (f.ttl = ...).
func localFieldSet(v ssa.Value) token.Pos {
	load, ok := kvapi.Unconverted(v).(*ssa.UnOp)
	if !ok {
		return token.NoPos
	}
	if fa, ok := load.X.(*ssa.FieldAddr); !ok || !isAlloc(fa.X) {
		return kvapi.SetBeforeAt(load) // f.ttl = 30 * time.Second, then put(..., f.ttl)
	}
	return kvapi.FieldSetAt(load)
}

func isAlloc(v ssa.Value) bool {
	_, ok := v.(*ssa.Alloc)
	return ok
}

// atReturn moves b to the return that gives the lifetime of secs
// seconds, when b's value is the result of a helper of this package with
// one such return: a tier's lifetime in a switch, a key returned with its
// lifetime (return key, 30 * time.Second). That return is where the
// value is written.
func (p *pass) atReturn(b binding, src kvapi.Source, secs float64) binding {
	if pos := p.model.RecordReturn(src, b.frame, constant.MakeFloat64(secs)); pos.IsValid() {
		b.pos, b.end = pos, pos // Save(ctx, st, entry{l}): entry.TTL() returns it
		return b
	}
	var find func(v ssa.Value, depth int) token.Pos
	find = func(v ssa.Value, depth int) token.Pos {
		if depth > 4 {
			return token.NoPos
		}
		if mi, ok := v.(*ssa.MakeInterface); ok {
			v = mi.X
		}
		// rt.cache of a table of routes: the entry that gives it.
		for _, st := range kvapi.RangedEntries(kvapi.Unconverted(v)) {
			if vals, free := p.model.Eval(st.Val, nil); len(vals) == 1 && len(free) == 0 {
				if _, s := inSeconds(vals[0], kvapi.IsDuration(st.Val.Type())); s == secs {
					return st.Pos()
				}
			}
		}
		switch v := kvapi.Unconverted(v).(type) {
		case *ssa.UnOp:
			// cmd of h.svc.issue(ctx, cmd), a struct variable whose
			// fields are set here: the one store that gives it
			// (cmd.Validity = 45 * time.Second when in.Quick).
			if alloc, ok := v.X.(*ssa.Alloc); ok && v.Op == token.MUL {
				return p.fieldGiving(alloc, secs)
			}
		case *ssa.Extract:
			if call, ok := v.Tuple.(*ssa.Call); ok {
				return p.returnGiving(call, v.Index, secs)
			}
		case *ssa.Call:
			if picksReturn(v) {
				return token.NoPos // StatusServed.TTL(): the caller picks it, here
			}
			if pos := p.returnGiving(v, 0, secs); pos.IsValid() {
				return pos
			}
			// cloudflare.F(ttl.Seconds()), int(d.Seconds())
			if len(v.Call.Args) == 1 {
				return find(v.Call.Args[0], depth+1)
			}
		}
		return token.NoPos
	}
	if b.value == nil {
		return b
	}
	if pos := find(b.value, 0); pos.IsValid() {
		b.pos, b.end = pos, pos
	}
	return b
}

// fieldGiving returns where a field of the struct variable alloc is set
// to a lifetime of secs seconds, when one store alone does so.
func (p *pass) fieldGiving(alloc *ssa.Alloc, secs float64) token.Pos {
	stores := make(map[int][]*ssa.Store)
	fieldStores := func(alloc *ssa.Alloc) {
		for _, ref := range *alloc.Referrers() {
			if fa, ok := ref.(*ssa.FieldAddr); ok {
				for _, use := range *fa.Referrers() {
					if st, ok := use.(*ssa.Store); ok && st.Addr == fa {
						stores[fa.Field] = append(stores[fa.Field], st)
					}
				}
			}
		}
	}
	fieldStores(alloc)
	// The literal it was set to first: cmd := unlockCmd{Validity: ...}.
	for _, ref := range *alloc.Referrers() {
		if st, ok := ref.(*ssa.Store); ok && st.Addr == alloc {
			if load, ok := st.Val.(*ssa.UnOp); ok && load.Op == token.MUL {
				if lit, ok := load.X.(*ssa.Alloc); ok {
					fieldStores(lit)
				}
			}
		}
	}
	found := token.NoPos
	for _, sts := range stores {
		for _, st := range sts {
			vals, free := p.model.Eval(st.Val, nil)
			if len(vals) != 1 || len(free) > 0 || vals[0].Kind() != constant.Int && vals[0].Kind() != constant.Float {
				continue // (a name or a flag, in another field)
			}
			if _, s := inSeconds(vals[0], kvapi.IsDuration(st.Val.Type())); s == secs {
				if found.IsValid() {
					return token.NoPos // more than one: the call is where they meet
				}
				found = st.Pos()
				if e := p.model.StoredExpr(st); e != nil {
					found = e.Pos() // where a field set once is reported too
				}
			}
		}
	}
	return found
}

// picksReturn reports whether call gives a constant, or a value a test
// leaves one constant, to a callee that returns by more than one return:
// a switch on the status it is given, whose lifetime the caller picks.
func picksReturn(call *ssa.Call) bool {
	callee := call.Call.StaticCallee()
	picked := func(a ssa.Value) bool {
		_, ok := a.(*ssa.Const)
		return ok || kvapi.Pinned(a, call.Block())
	}
	if callee == nil || !slices.ContainsFunc(call.Call.Args, picked) {
		return false
	}
	returns := 0
	for _, b := range callee.Blocks {
		if _, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return); ok {
			returns++
		}
	}
	return returns > 1
}

// returnGiving returns the one return of call's callee, a function of
// this package, whose result'th result is a known lifetime of secs
// seconds.
func (p *pass) returnGiving(call *ssa.Call, result int, secs float64) token.Pos {
	var callees []*ssa.Function
	if callee := call.Call.StaticCallee(); callee != nil {
		if callee.Pkg != call.Parent().Pkg || callee.Blocks == nil || argumentDecides(callee) {
			return token.NoPos
		}
		callees = []*ssa.Function{callee}
	} else {
		// A field set to a literal by each constructor (s.ttlFor(sess)):
		// the literal is the policy, whatever it branches on.
		callees = p.model.StoredFuncs(&call.Call)
	}
	var rets []*ssa.Return
	for _, fn := range callees {
		rets = append(rets, kvapi.Returns(fn)...)
	}
	found := token.NoPos
	for _, ret := range rets {
		if result >= len(ret.Results) {
			continue
		}
		// One of the values it may return, If(retry, 30*time.Second, time.Hour).
		vals, free := p.model.Eval(ret.Results[result], nil)
		if len(free) > 0 || !slices.ContainsFunc(vals, func(c constant.Value) bool {
			_, s := inSeconds(c, kvapi.IsDuration(ret.Results[result].Type()))
			return s == secs
		}) {
			continue
		}
		if found.IsValid() {
			return token.NoPos // two returns give it: say so at the call
		}
		found = ret.Pos()
	}
	return found
}

// argumentDecides reports whether fn branches on a parameter other than
// its receiver: holdTTL(plan) returns what the caller's plan picks, so
// the call says which lifetime, where a tier's own Tier.TTL() does not.
func argumentDecides(fn *ssa.Function) bool {
	params := fn.Params
	if fn.Signature.Recv() != nil && len(params) > 0 {
		params = params[1:]
	}
	var decides func(v ssa.Value, depth int) bool
	decides = func(v ssa.Value, depth int) bool {
		if depth > 3 || v.Referrers() == nil {
			return false
		}
		for _, ref := range *v.Referrers() {
			switch ref := ref.(type) {
			case *ssa.If:
				return true
			case *ssa.BinOp, *ssa.UnOp, *ssa.Convert, *ssa.ChangeType, *ssa.Field:
				if decides(ref.(ssa.Value), depth+1) {
					return true
				}
			}
		}
		return false
	}
	return slices.ContainsFunc(params, func(p *ssa.Parameter) bool { return decides(p, 0) })
}

// reachable reports whether the operation can run in frame f: its block,
// and the block of every call in the frame, under the frame outside it.
func (p *pass) reachable(op *kvapi.Op, f *kvapi.Frame) bool {
	if !p.model.Reachable(op.Call.Block(), f) {
		return false
	}
	for ; f != nil; f = f.Outer {
		if !p.model.Reachable(f.Call.Block(), f.Outer) {
			return false
		}
	}
	return true
}

// argument returns the expression passed for param at call.
func (p *pass) argument(call ssa.CallInstruction, fn *ssa.Function, param *ssa.Parameter) ast.Expr {
	expr := p.model.CallExpr(call.Pos())
	i := slices.Index(fn.Params, param)
	if expr == nil || i < 0 {
		return nil
	}
	if len(expr.Args) == len(fn.Params)-1 { // the receiver is not among the arguments
		i--
	}
	if i < 0 || i >= len(expr.Args) || expr.Ellipsis.IsValid() {
		return nil
	}
	return expr.Args[i]
}

// funcName names a function as a reader would: Cache.Set, putSession.
func funcName(fn *ssa.Function) string {
	if recv := fn.Signature.Recv(); recv != nil {
		t := recv.Type()
		if ptr, ok := t.(*types.Pointer); ok {
			t = ptr.Elem()
		}
		if named, ok := types.Unalias(t).(*types.Named); ok {
			return named.Obj().Name() + "." + fn.Name()
		}
	}
	return fn.Name()
}
