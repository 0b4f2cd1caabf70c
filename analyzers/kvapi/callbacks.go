package kvapi

import (
	"go/ast"
	"go/token"
	"go/types"
	"slices"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// A function that calls a function it is given hands that function the
// KV work: each.Key(ctx, keys, s.remove), retry.Do(ctx, s.flush), or a
// method of a named function type that calls its receiver, as
// http.HandlerFunc does (Writer.JSON encodes, then calls w(ctx, key, b,
// ttl)). Which function it is given only its caller knows, so the
// function's summary says how it calls each such parameter, and a call
// of it is the given function's operations, with the operands the call
// gives through the one it makes.

// A paramCall is a call that a function makes of its parameter Param,
// its receiver first, with Args (Terms over the function's parameters)
// under Conds.
type paramCall struct {
	Param int
	Args  []*Term
	Conds []Cond
}

// A paramCallsFact lists the calls a function of another package makes
// of the functions it is given.
type paramCallsFact struct {
	Calls []paramCall
}

func (*paramCallsFact) AFact()         {}
func (*paramCallsFact) String() string { return "kv calls its parameters" }

// findParamCalls records, for each function of the package, the calls
// it makes of its function-typed parameters, in itself, its closures, or
// through another such function it hands the parameter to, and exports
// them for other packages.
func (r *Result) findParamCalls() {
	r.paramCalls = make(map[*types.Func][]paramCall)
	for grew, round := true, 0; grew && round < maxRounds; round++ {
		grew = false
		for _, fn := range r.funcs {
			obj, ok := fn.Object().(*types.Func)
			if !ok || fn.Parent() != nil || !takesFunc(fn) {
				continue
			}
			c := &compiler{model: r, fn: fn}
			for _, pc := range r.callsOfParams(c, fn) {
				if !slices.ContainsFunc(r.paramCalls[obj], func(x paramCall) bool { return sameParamCall(x, pc) }) {
					r.paramCalls[obj] = append(r.paramCalls[obj], pc)
					grew = true
				}
			}
		}
	}
	for obj, calls := range r.paramCalls {
		if obj.Exported() {
			r.pass.ExportObjectFact(obj, &paramCallsFact{Calls: calls})
		}
	}
}

// takesFunc reports whether fn has a parameter, or a receiver, of
// function type.
func takesFunc(fn *ssa.Function) bool {
	return slices.ContainsFunc(fn.Params, func(p *ssa.Parameter) bool { return isFunc(p.Type()) })
}

// callsOfParams returns the calls that fn, or a closure of it, makes of
// fn's function-typed parameters, directly or by handing one to a
// function that calls it.
func (r *Result) callsOfParams(c *compiler, fn *ssa.Function) []paramCall {
	var out []paramCall
	var visit func(f *ssa.Function)
	visit = func(f *ssa.Function) {
		for _, b := range f.Blocks {
			for _, instr := range b.Instrs {
				call, ok := instr.(ssa.CallInstruction)
				if !ok {
					continue
				}
				common := call.Common()
				conds := c.opConds(call.Block())
				if f != fn {
					conds = nil // a closure's branches are not fn's
				}
				if i := paramIndex(fn, common.Value); i >= 0 && !common.IsInvoke() {
					args := c.args(common.Args)
					for k, a := range common.Args {
						if j := elementOf(fn, a); j >= 0 {
							args[k] = &Term{Op: TermElems, Name: "elems", Args: []*Term{{Op: TermParam, Index: j}}}
						}
					}
					out = append(out, paramCall{Param: i, Args: args, Conds: conds})
					continue
				}
				// Handed on: each.Key(ctx, keys, fn) inside fn.
				callee, args := r.callee(call)
				if callee == nil {
					continue
				}
				for _, inner := range r.paramCallsOf(callee) {
					if inner.Param >= len(args) {
						continue
					}
					i := paramIndex(fn, args[inner.Param])
					if i < 0 {
						continue
					}
					given := c.args(args)
					pc := paramCall{Param: i, Conds: conds}
					for _, a := range inner.Args {
						pc.Args = append(pc.Args, a.Substitute(given))
					}
					for _, cd := range inner.Conds {
						pc.Conds = append(pc.Conds, Cond{Term: cd.Term.Substitute(given), Want: cd.Want})
					}
					out = append(out, pc)
				}
			}
		}
		for _, anon := range f.AnonFuncs {
			// Only a closure that runs before fn returns calls the
			// parameter as fn's call does: not one fn hands back
			// (web.Handle(h) returns the handler that calls h) or keeps.
			if len(r.RunSites(anon)) > 0 {
				visit(anon)
			}
		}
	}
	visit(fn)
	return out
}

// paramIndex returns the index of fn's parameter that v is, seen from fn
// or from one of its closures, or -1.
func paramIndex(fn *ssa.Function, v ssa.Value) int {
	for {
		if ct, ok := v.(*ssa.ChangeType); ok {
			v = ct.X // to or from a named function type
			continue
		}
		if fv := capturedVar(v); fv != nil {
			if bound := Binding(fv); bound != nil {
				v = bound
				continue
			}
		}
		break
	}
	p, ok := v.(*ssa.Parameter)
	if !ok || !isFunc(p.Type()) {
		return -1
	}
	return slices.Index(fn.Params, p)
}

// elementOf returns the index of fn's slice parameter that v is an
// element of, ranged over (for _, k := range keys), or -1.
func elementOf(fn *ssa.Function, v ssa.Value) int {
	load, ok := Unconverted(v).(*ssa.UnOp)
	if !ok || load.Op != token.MUL {
		return -1
	}
	ia, ok := load.X.(*ssa.IndexAddr)
	if !ok {
		return -1
	}
	p, ok := ia.X.(*ssa.Parameter)
	if !ok {
		return -1
	}
	return slices.Index(fn.Params, p)
}

// paramCallsOf returns the calls that fn makes of the functions it is
// given.
func (r *Result) paramCallsOf(fn *types.Func) []paramCall {
	fn = fn.Origin()
	if fn.Pkg() == r.pass.Pkg {
		return r.paramCalls[fn]
	}
	var fact paramCallsFact
	if r.pass.ImportObjectFact(fn, &fact) {
		return fact.Calls
	}
	return nil
}

func sameParamCall(a, b paramCall) bool {
	if a.Param != b.Param || len(a.Args) != len(b.Args) || len(a.Conds) != len(b.Conds) {
		return false
	}
	for i := range a.Args {
		if a.Args[i].String() != b.Args[i].String() {
			return false
		}
	}
	for i := range a.Conds {
		if a.Conds[i].Want != b.Conds[i].Want || a.Conds[i].Term.String() != b.Conds[i].Term.String() {
			return false
		}
	}
	return true
}

// givenOps returns the operations of a call of callee, whose arguments
// are args, that the functions it is given do when it calls them: for
// each call callee makes of a parameter, the operations of the function
// the call passes there (a function, a method value, a closure a
// factory of another package made), with the operands callee gives it.
// What the given function needs beyond them, a method value's receiver,
// the factory's arguments, is added to the operation's arguments.
func (r *Result) givenOps(call ssa.CallInstruction, callee *types.Func, args []ssa.Value) []*Op {
	var out []*Op
	for _, pc := range r.paramCallsOf(callee) {
		if pc.Param >= len(args) {
			continue
		}
		target, extra, ops := r.givenFunc(args[pc.Param])
		if ops == nil {
			continue
		}
		opArgs := append(slices.Clip(args), extra...)
		inner := slices.Clone(pc.Args)
		if len(extra) > 0 && target.recv {
			inner = append([]*Term{{Op: TermParam, Index: len(args)}}, inner...)
		} else {
			for i := range extra {
				inner = append(inner, &Term{Op: TermParam, Index: len(args) + i})
			}
		}
		for _, w := range ops {
			composed := w.mapTerms(func(t *Term) *Term { return t.Substitute(inner) })
			composed.Conds = append(slices.Clone(pc.Conds), composed.Conds...)
			composed.Results, composed.Out, composed.Missing = nil, nil, ""
			out = append(out, &Op{Method: &Method{Pkg: callee.Pkg().Path(), Name: callee.Name(), Role: w.Role},
				Call: call, Args: opArgs, Expr: r.CallExpr(call.Pos()), Wrapper: callee, Wrapped: &composed, via: target.fn, model: r})
		}
	}
	return out
}

// A givenTarget is the function a call hands another to call, and
// whether the extra arguments it needs start with a receiver.
type givenTarget struct {
	fn   *types.Func
	recv bool
}

// givenFunc returns the function that v, a function value given as an
// argument, calls, the values beyond its own parameters that its
// operations' Terms use, and those operations over its parameters (the
// receiver first, then the extra values).
func (r *Result) givenFunc(v ssa.Value) (givenTarget, []ssa.Value, []WrappedOp) {
	if swapped := r.swappable(v); swapped != nil {
		v = swapped
	}
	if obj, recv := storedFunc(v); obj != nil {
		ops := r.opsOf(obj)
		if recv != nil {
			return givenTarget{obj, true}, []ssa.Value{recv}, ops
		}
		return givenTarget{fn: obj}, nil, ops
	}
	for {
		ct, ok := v.(*ssa.ChangeType)
		if !ok {
			break
		}
		v = ct.X
	}
	if made := r.factoryMade(v); made != nil {
		call, _ := factoryCall(v)
		return givenTarget{fn: made}, call.Call.Args, r.made[made]
	}
	return givenTarget{}, nil, nil
}

// opsOf returns the operations of a call of obj over its parameters,
// the receiver first: an SDK method's own, or a wrapper's or a port's
// summary.
func (r *Result) opsOf(obj *types.Func) []WrappedOp {
	if m := Lookup(obj); m != nil {
		return []WrappedOp{sdkOp(m, obj)}
	}
	if w := r.ifaces.wrapped(obj); w != nil {
		return w
	}
	var fact WrapperFact
	if r.pass.ImportObjectFact(obj.Origin(), &fact) {
		return fact.Ops
	}
	return nil
}

// sdkOp is an SDK method's operation as a wrapper that passes its
// parameters straight on would summarise it.
func sdkOp(m *Method, obj *types.Func) WrappedOp {
	w := WrappedOp{Role: m.Role, Method: m.FullName()}
	offset := 0
	if obj.Signature().Recv() != nil {
		offset = 1
	}
	for o := Operand(0); o < numOperands; o++ {
		a, ok := m.Operands[o]
		if !ok {
			continue
		}
		t := &Term{Op: TermParam, Index: a.Index + offset}
		if a.Index == Receiver {
			t = &Term{Op: TermParam, Index: 0}
		}
		if a.Field != "" {
			t = &Term{Op: TermField, Name: a.Field, Args: []*Term{t}}
		}
		w.Operands = append(w.Operands, OperandTerms{Operand: o, Terms: []*Term{t}})
	}
	return w
}

// givenArgs returns, for p, a parameter of a closure that its function
// hands to another to call (store.WithTTL(ctx, ttl, func(ctx, ttl) {
// ... })), the arguments of that hand-over that the callee passes on to
// p unchanged.
func (r *Result) givenArgs(p *ssa.Parameter) []ssa.Value {
	var out []ssa.Value
	for _, h := range r.handOvers(p) {
		if h.elems {
			return nil // an element, not the slice: see handedElems
		}
		out = append(out, h.arg)
	}
	return out
}

// A handOver is a call that gives a closure to a function that calls it,
// and the argument of that call that the function passes on to one of
// the closure's parameters.
type handOver struct {
	call  ssa.CallInstruction
	arg   ssa.Value
	index int  // of arg among the callee's parameters, the receiver first
	elems bool // the callee passes each element of arg, a slice
}

// elemsOfParam returns j when t is (elems $j).
func elemsOfParam(t *Term) (int, bool) {
	if t.Op == TermElems && len(t.Args) == 1 && t.Args[0].Op == TermParam {
		return t.Args[0].Index, true
	}
	return 0, false
}

// handedElems returns the slice whose elements the function that p's
// closure is handed to passes p one by one (DeleteAll(ctx, st, keys...)
// over forEach(keys, func(k string) error { ... })), or nil.
func (r *Result) handedElems(p *ssa.Parameter) ssa.Value {
	hs := r.handOvers(p)
	if len(hs) != 1 || !hs[0].elems {
		return nil
	}
	return hs[0].arg
}

// handOvers returns the hand-overs of p's closure that give p a value of
// the caller's; none if one computes it inside the callee.
func (r *Result) handOvers(p *ssa.Parameter) []handOver {
	if r.handed != nil {
		return r.handed[p] // filled by prewarm: the analyzers only read
	}
	return r.findHandOvers(p)
}

func (r *Result) findHandOvers(p *ssa.Parameter) []handOver {
	anon := p.Parent()
	parent := anon.Parent()
	i := slices.Index(anon.Params, p)
	if parent == nil || i < 0 {
		return nil
	}
	var out []handOver
	for _, b := range parent.Blocks {
		for _, instr := range b.Instrs {
			call, ok := instr.(ssa.CallInstruction)
			if !ok {
				continue
			}
			callee, args := r.callee(call)
			if callee == nil {
				continue
			}
			for _, pc := range r.paramCallsOf(callee) {
				if pc.Param >= len(args) || closureOf(args[pc.Param]) != anon || i >= len(pc.Args) {
					continue
				}
				if j, ok := elemsOfParam(pc.Args[i]); ok && j < len(args) {
					out = append(out, handOver{call, args[j], j, true})
					continue
				}
				j, ok := pc.Args[i].Passed()
				if !ok || j >= len(args) {
					return nil
				}
				out = append(out, handOver{call, args[j], j, false})
			}
		}
	}
	return out
}

// HandedArg returns, for p, a parameter of a closure handed to a function
// that calls it, the one argument of the hand-over that becomes p, as
// written, and the function it is handed to.
func (r *Result) HandedArg(p *ssa.Parameter) (ast.Expr, *types.Func) {
	hs := r.handOvers(p)
	if len(hs) != 1 || hs[0].elems {
		return nil, nil
	}
	h := hs[0]
	expr := r.CallExpr(h.call.Pos())
	callee, args := r.callee(h.call)
	if expr == nil || callee == nil {
		return nil, nil
	}
	i := h.index - (len(args) - len(expr.Args)) // a method's receiver is not among the arguments
	if i < 0 || i >= len(expr.Args) || expr.Ellipsis.IsValid() {
		return nil, nil
	}
	return expr.Args[i], callee
}

// exportParamCalls exports, for a package that does not use KV and is
// not built (a retry or iteration helper), the calls each exported
// function makes of its function-typed parameters, as the syntax shows
// them: an argument that is one of the function's own parameters is
// passed on, anything else is opaque.
func exportParamCalls(pass *analysis.Pass) {
	for decl, fn := range exportedDecls(pass) {
		index := paramIndexes(fn.Signature())
		var calls []paramCall
		ast.Inspect(decl.Body, func(n ast.Node) bool {
			if _, ok := n.(*ast.FuncLit); ok {
				return false // may be handed back, or kept, and run later
			}
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			v, ok := paramUse(pass, call.Fun)
			i, given := index[v]
			if !ok || !given || !isFunc(v.Type()) {
				return true
			}
			pc := paramCall{Param: i}
			for _, a := range call.Args {
				t := opaque
				if w, ok := paramUse(pass, a); ok {
					if j, given := index[w]; given {
						t = &Term{Op: TermParam, Index: j}
					}
				}
				pc.Args = append(pc.Args, t)
			}
			calls = append(calls, pc)
			return true
		})
		if len(calls) > 0 {
			pass.ExportObjectFact(fn, &paramCallsFact{Calls: calls})
		}
	}
}

// paramIndexes numbers the receiver and parameters of sig, the receiver
// first.
func paramIndexes(sig *types.Signature) map[*types.Var]int {
	index := make(map[*types.Var]int)
	offset := 0
	if sig.Recv() != nil {
		index[sig.Recv()] = 0
		offset = 1
	}
	for i := range sig.Params().Len() {
		index[sig.Params().At(i)] = i + offset
	}
	return index
}
