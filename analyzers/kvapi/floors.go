package kvapi

// Floors. A service often builds its namespace as a stack of decorators,
// one of which raises every lifetime under a floor before it passes the
// write on:
//
//	store: kvstore.Stack(ns, kvstore.WithTTLFloor(time.Minute), kvstore.WithMetrics(m))
//
// A put through that namespace gets at least the floor, whatever its
// caller asks for (s.store.Put(k, v, 45*time.Second) writes for a
// minute). The decorator is found by what its method does, not by its
// name: it passes one of its parameters on to the next layer's method of
// the same name, raised to a field of its own or to a constant. A
// function that returns such a decorator, or a layer that makes one, has
// a floorFact, and NamespaceFloor finds one among the calls that built
// the namespace an operation goes through.

import (
	"go/constant"
	"go/token"
	"go/types"
	"strconv"

	"golang.org/x/tools/go/ssa"
)

// A floorFact marks a function that returns a decorator, or a layer that
// makes one, whose writes raise a lifetime under a floor to that floor.
type floorFact struct {
	// Param is the function's parameter that gives the floor, or -1 when
	// the decorator's own constant does.
	Param int
	// Floor is that constant, as constant.Value.ExactString.
	Floor    string
	Duration bool
}

func (*floorFact) AFact() {}

func (f *floorFact) String() string {
	if f.Param >= 0 {
		return "floors lifetimes at parameter " + strconv.Itoa(f.Param)
	}
	return "floors lifetimes at " + f.Floor
}

// exportFloors exports a floorFact for each function of the package that
// returns a flooring decorator, and keeps them for NamespaceFloor.
func (r *Result) exportFloors() {
	r.floors = make(map[*ssa.Function]*floorFact)
	for _, fn := range r.funcs {
		if fn.Parent() != nil || fn.Signature.Results().Len() != 1 {
			continue
		}
		fact := r.returnsFloored(fn)
		if fact == nil {
			continue
		}
		r.floors[fn] = fact
		if obj, ok := fn.Object().(*types.Func); ok {
			r.pass.ExportObjectFact(obj, fact)
		}
	}
}

// returnsFloored returns the floor of the decorator that every return of
// fn gives, directly (return &floored{next, min}) or from the layer it
// returns (return func(next Store) Store { return &floored{next, min} }).
func (r *Result) returnsFloored(fn *ssa.Function) *floorFact {
	var out *floorFact
	for _, v := range returnedValues(fn) {
		v = retyped(v)
		var fact *floorFact
		if alloc := composite(v); alloc != nil {
			fact = r.decoratorFloor(fn, alloc)
		} else if mc, ok := v.(*ssa.MakeClosure); ok {
			layer, ok := mc.Fn.(*ssa.Function)
			if !ok || layer.Signature.Results().Len() != 1 {
				return nil
			}
			for _, inner := range returnedValues(layer) {
				alloc := composite(retyped(inner))
				if alloc == nil {
					return nil
				}
				if fact = r.decoratorFloor(fn, alloc); fact == nil {
					return nil
				}
			}
		}
		if fact == nil {
			return nil
		}
		out = fact
	}
	return out
}

// composite returns the struct that v makes, &floored{...} or a
// floored{...} value, nil if none.
func composite(v ssa.Value) *ssa.Alloc {
	if load, ok := v.(*ssa.UnOp); ok && load.Op == token.MUL {
		v = load.X
	}
	alloc, _ := v.(*ssa.Alloc)
	return alloc
}

// decoratorFloor returns the floor of the decorator that alloc makes in
// fn (or in a closure that fn returns), when the decorator's type
// has a flooring method: the field it raises lifetimes to, as alloc sets
// it from a constant or from a parameter of fn.
func (r *Result) decoratorFloor(fn *ssa.Function, alloc *ssa.Alloc) *floorFact {
	if _, isStruct := derefStruct(alloc.Type()); !isStruct {
		return nil
	}
	mset := r.pkg.Prog.MethodSets.MethodSet(alloc.Type())
	for i := range mset.Len() {
		// The method as declared, not the wrapper of a value method.
		method := r.pkg.Prog.FuncValue(mset.At(i).Obj().(*types.Func))
		if method == nil || method.Pkg != r.pkg {
			continue
		}
		field, c := raisingMethod(method)
		if c != nil {
			return &floorFact{Param: -1, Floor: c.Value.ExactString(), Duration: IsDuration(c.Type())}
		}
		if field == nil {
			continue
		}
		for _, ref := range *alloc.Referrers() {
			fa, ok := ref.(*ssa.FieldAddr)
			if !ok || FieldOf(fa) != field {
				continue
			}
			for _, st := range storesTo(fa) {
				val := st.Val
				if secs := inSeconds(val); secs != nil {
					val = secs // ttlFloor{next, int(floor.Seconds())}: the caller's Duration
				}
				switch v := VariableValue(val).(type) {
				case *ssa.Const:
					if v.Value != nil {
						return &floorFact{Param: -1, Floor: v.Value.ExactString(), Duration: IsDuration(v.Type())}
					}
				case *ssa.Parameter:
					for i, p := range fn.Params {
						if p == v {
							return &floorFact{Param: i, Duration: IsDuration(v.Type())}
						}
					}
				}
			}
		}
	}
	return nil
}

// inSeconds returns the Duration that v counts in whole seconds,
// int(d.Seconds()), or nil.
func inSeconds(v ssa.Value) ssa.Value {
	conv, ok := v.(*ssa.Convert)
	if !ok {
		return nil
	}
	call, ok := conv.X.(*ssa.Call)
	if !ok || CalleeName(call) != "(time.Duration).Seconds" || len(call.Call.Args) != 1 {
		return nil
	}
	return call.Call.Args[0]
}

// raisingMethod reports how method, a decorator's, raises one of its
// parameters before it passes it on to the next layer's method of the
// same name: to a field of its receiver (if ttl < s.min { ttl = s.min },
// max(ttl, s.floor)), or to a constant.
func raisingMethod(method *ssa.Function) (*types.Var, *ssa.Const) {
	if method.Signature.Recv() == nil || len(method.Params) < 2 {
		return nil, nil
	}
	recv := method.Params[0]
	for _, b := range method.Blocks {
		for _, instr := range b.Instrs {
			call, ok := instr.(ssa.CallInstruction)
			if !ok || !call.Common().IsInvoke() || call.Common().Method.Name() != method.Name() {
				continue
			}
			for _, arg := range call.Common().Args {
				if field, c, ok := raised(arg, method, recv, 0); ok && (field != nil || c != nil) {
					return field, c
				}
				if field, c := raisedInEntry(arg, recv, 0); field != nil || c != nil {
					return field, c
				}
			}
		}
	}
	return nil, nil
}

// raisedInEntry reports how v, a copy of the entry a decorator was given,
// had a number field raised to a floor before it is passed on: a field of
// recv, or a constant, set under a test of that field against it:
//
//	if e.TTL > 0 && e.TTL < s.floor { e.TTL = s.floor }
//	return s.next.Put(ctx, e)
//
// or by a method of the same receiver that returns the entry so raised:
// return t.next.Put(ctx, t.fix(e)).
func raisedInEntry(v ssa.Value, recv *ssa.Parameter, depth int) (*types.Var, *ssa.Const) {
	if call, ok := v.(*ssa.Call); ok {
		callee := call.Call.StaticCallee()
		if depth > 2 || callee == nil || callee.Signature.Recv() == nil || len(callee.Params) == 0 || !readsReceiver(call.Call.Args[0], recv) {
			return nil, nil
		}
		for _, ret := range returnedValues(callee) {
			if field, c := raisedInEntry(ret, callee.Params[0], depth+1); field != nil || c != nil {
				return field, c
			}
		}
		return nil, nil
	}
	load, ok := v.(*ssa.UnOp)
	if !ok || load.Op != token.MUL {
		return nil, nil
	}
	entry, ok := load.X.(*ssa.Alloc)
	if !ok {
		return nil, nil
	}
	for _, ref := range *entry.Referrers() {
		fa, ok := ref.(*ssa.FieldAddr)
		if !ok || !basic(deref(fa.Type()), types.IsInteger|types.IsFloat) {
			continue
		}
		for _, st := range storesTo(fa) {
			field, c := floorIn(st.Val, recv)
			if (field != nil || c != nil) && testedAgainst(st.Block(), entry, fa.Field, st.Val) {
				return field, c
			}
		}
	}
	return nil, nil
}

// testedAgainst reports whether block runs only on one side of a
// comparison of field i of entry with floor: e.TTL < s.floor.
func testedAgainst(block *ssa.BasicBlock, entry *ssa.Alloc, i int, floor ssa.Value) bool {
	if len(block.Preds) != 1 {
		return false
	}
	br, ok := block.Preds[0].Instrs[len(block.Preds[0].Instrs)-1].(*ssa.If)
	if !ok {
		return false
	}
	cmp, ok := br.Cond.(*ssa.BinOp)
	if !ok || cmp.Op != token.LSS && cmp.Op != token.LEQ && cmp.Op != token.GTR && cmp.Op != token.GEQ {
		return false
	}
	isField := func(x ssa.Value) bool {
		load, ok := x.(*ssa.UnOp)
		if !ok || load.Op != token.MUL {
			return false
		}
		fa, ok := load.X.(*ssa.FieldAddr)
		return ok && fa.X == entry && fa.Field == i
	}
	sameFloor := func(x ssa.Value) bool {
		f1, c1 := floorIn(x, nil)
		f2, c2 := floorIn(floor, nil)
		return x == floor || f1 != nil && f1 == f2 || c1 != nil && c2 != nil && constant.Compare(c1.Value, token.EQL, c2.Value)
	}
	return isField(cmp.X) && sameFloor(cmp.Y) || isField(cmp.Y) && sameFloor(cmp.X)
}

// floorIn returns the floor that x reads: a field of recv (any receiver
// when recv is nil), by pointer or by value, or a constant.
func floorIn(x ssa.Value, recv *ssa.Parameter) (*types.Var, *ssa.Const) {
	switch x := x.(type) {
	case *ssa.Const:
		if x.Value != nil && x.Value.Kind() != constant.Unknown {
			return nil, x
		}
	case *ssa.UnOp:
		if fa, isField := x.X.(*ssa.FieldAddr); isField && x.Op == token.MUL && readsReceiver(fa.X, recv) {
			return FieldOf(fa), nil
		}
	case *ssa.Field:
		if st, ok := x.X.Type().Underlying().(*types.Struct); ok && readsReceiver(x.X, recv) && x.Field < st.NumFields() {
			return st.Field(x.Field).Origin(), nil
		}
	}
	return nil, nil
}

// readsReceiver reports whether v is recv, or any method's receiver when
// recv is nil.
func readsReceiver(v ssa.Value, recv *ssa.Parameter) bool {
	if alloc, ok := v.(*ssa.Alloc); ok {
		// A value receiver copied to the stack: s.floor of func (s
		// ttlFloor) Put.
		if stores := storesTo(alloc); len(stores) == 1 {
			v = stores[0].Val
		}
	}
	p, ok := v.(*ssa.Parameter)
	if !ok {
		return false
	}
	if recv != nil {
		return p == recv
	}
	return p.Parent().Signature.Recv() != nil && p == p.Parent().Params[0]
}

// raised reports whether v is one of method's number parameters raised to
// a floor, and which: a field of recv, or a constant. A bare parameter is
// not raised (ok, but no floor).
func raised(v ssa.Value, method *ssa.Function, recv *ssa.Parameter, depth int) (field *types.Var, c *ssa.Const, ok bool) {
	if depth > 4 || !basic(v.Type(), types.IsInteger|types.IsFloat) {
		return nil, nil, false
	}
	switch v := v.(type) {
	case *ssa.Parameter:
		return nil, nil, v != recv && v.Parent() == method
	case *ssa.Call:
		b, isBuiltin := v.Call.Value.(*ssa.Builtin)
		if !isBuiltin || b.Name() != "max" {
			return nil, nil, false
		}
		var given bool
		for _, arg := range v.Call.Args {
			if f, k := floorIn(arg, recv); f != nil || k != nil {
				field, c = f, k
			} else if _, _, isGiven := raised(arg, method, recv, depth+1); isGiven {
				given = true
			}
		}
		return field, c, given && (field != nil || c != nil)
	case *ssa.Phi:
		var given bool
		for _, e := range v.Edges {
			if f, k := floorIn(e, recv); f != nil || k != nil {
				field, c = f, k
				continue
			}
			f, k, isGiven := raised(e, method, recv, depth+1)
			if !isGiven {
				return nil, nil, false
			}
			given = true
			if f != nil || k != nil {
				field, c = f, k
			}
		}
		return field, c, given
	}
	return nil, nil, false
}

// NamespaceFloor reports whether op writes through a namespace that a
// flooring decorator wraps (see floorFact), and that floor in seconds
// when it is known: the floor a put gets, whatever lifetime it asks for.
func (r *Result) NamespaceFloor(op *Op) (seconds float64, known, ok bool) {
	for _, arg := range op.Args {
		if !types.IsInterface(arg.Type()) {
			continue
		}
		if secs, known, ok := r.floorOf(arg, 0); ok {
			return secs, known, true
		}
	}
	// A wrapper's namespace, resolved at its call: boards.HappyHour(ctx,
	// d) writes through boards.KV, which this caller built.
	for _, src := range op.Sources(Namespace) {
		for _, in := range src.Inputs() {
			if types.IsInterface(in.Type()) {
				if secs, known, ok := r.floorOf(in, 0); ok {
					return secs, known, true
				}
			} else if secs, known, ok := r.heldFloor(in); ok {
				return secs, known, true
			}
		}
	}
	return 0, false, false
}

// heldFloor returns the floor of the namespace that the struct v, built
// here, holds in a field of interface type, when each namespace stored in
// that field is floored:
// &leaderboard.Boards{KV: kvstore.Compose(ns, WithTTLFloor(time.Minute))}.
func (r *Result) heldFloor(v ssa.Value) (seconds float64, known, ok bool) {
	alloc, built := VariableValue(v).(*ssa.Alloc)
	if !built {
		return 0, false, false
	}
	st, isStruct := derefStruct(alloc.Type())
	if !isStruct {
		return 0, false, false
	}
	for i := range st.NumFields() {
		if !types.IsInterface(st.Field(i).Type()) {
			continue
		}
		var held []ssa.Value
		for _, ref := range *alloc.Referrers() {
			if fa, ok := ref.(*ssa.FieldAddr); ok && fa.Field == i {
				for _, store := range storesTo(fa) {
					held = append(held, store.Val)
				}
			}
		}
		if secs, known, ok := r.lowestFloor(held, 0); ok {
			return secs, known, true
		}
	}
	return 0, false, false
}

// VariableValue returns what the variable that v reads was set to, once,
// also through the closures that capture it (*boards in a handler of
// main's; a parameter captured by reference, and never set again, is that
// parameter), or v when it reads no such variable.
func VariableValue(v ssa.Value) ssa.Value {
	for range maxDepth {
		if fv, ok := v.(*ssa.FreeVar); ok && Binding(fv) != nil {
			v = Binding(fv) // captured by value
			continue
		}
		load, ok := v.(*ssa.UnOp)
		if !ok || load.Op != token.MUL {
			return v
		}
		cell := load.X
		if fv, ok := cell.(*ssa.FreeVar); ok {
			cell = Binding(fv)
		}
		alloc, ok := cell.(*ssa.Alloc)
		if !ok {
			return v
		}
		stores := storesTo(alloc)
		if len(stores) != 1 {
			return v
		}
		v = stores[0].Val
	}
	return v
}

// floorOf follows v, a namespace, back to the calls that built it, and
// returns the floor of a flooring decorator among them.
func (r *Result) floorOf(v ssa.Value, depth int) (seconds float64, known, ok bool) {
	if depth > 6 {
		return 0, false, false
	}
	switch v := retyped(v).(type) {
	case *ssa.FreeVar:
		if bound := Binding(v); bound != nil {
			return r.floorOf(bound, depth+1)
		}
	case *ssa.UnOp:
		fa, isField := v.X.(*ssa.FieldAddr)
		if v.Op != token.MUL || !isField {
			return 0, false, false
		}
		// Every namespace the package keeps in the field is floored.
		return r.lowestFloor(r.storedIn(FieldOf(fa)), depth)
	case *ssa.Phi:
		return r.lowestFloor(v.Edges, depth)
	case *ssa.Call:
		if fact := r.floorFactOf(v.Call.StaticCallee()); fact != nil {
			return r.floorValue(v, fact)
		}
		// A stack: Stack(ns, WithPrefix("cart:"), WithTTLFloor(time.Minute))
		// takes the layers it applies among its arguments.
		if v.Call.StaticCallee() == nil {
			return 0, false, false
		}
		for _, arg := range v.Call.Args {
			layers := []ssa.Value{arg}
			if _, isSlice := arg.Type().Underlying().(*types.Slice); isSlice {
				layers = r.Elements(arg)
			}
			for _, layer := range layers {
				if secs, known, ok := r.floorOf(layer, depth+1); ok {
					return secs, known, true
				}
			}
		}
	}
	return 0, false, false
}

// lowestFloor is the floor of a namespace that may be any of vals, when
// each is floored: the lowest.
func (r *Result) lowestFloor(vals []ssa.Value, depth int) (seconds float64, known, ok bool) {
	known = true
	for i, v := range vals {
		secs, k, floored := r.floorOf(v, depth+1)
		if !floored {
			return 0, false, false
		}
		known = known && k
		if i == 0 || secs < seconds {
			seconds = secs
		}
	}
	return seconds, known, len(vals) > 0
}

// floorFactOf returns fn's floorFact, from this package or another's.
func (r *Result) floorFactOf(fn *ssa.Function) *floorFact {
	if fn == nil {
		return nil
	}
	if fn.Origin() != nil {
		fn = fn.Origin()
	}
	if fact := r.floors[fn]; fact != nil {
		return fact
	}
	obj, ok := fn.Object().(*types.Func)
	if !ok || fn.Pkg == r.pkg {
		return nil
	}
	fact := new(floorFact)
	if !r.pass.ImportObjectFact(obj, fact) {
		return nil
	}
	return fact
}

// floorValue returns, in seconds, the floor of the decorator that call
// makes, when it is known at compile time.
func (r *Result) floorValue(call *ssa.Call, fact *floorFact) (seconds float64, known, ok bool) {
	c := constant.MakeFromLiteral(fact.Floor, token.FLOAT, 0)
	duration := fact.Duration
	if fact.Param >= 0 {
		if fact.Param >= len(call.Call.Args) {
			return 0, false, true
		}
		c = r.Constant(call.Call.Args[fact.Param])
		duration = IsDuration(call.Call.Args[fact.Param].Type())
	}
	if c == nil || c.Kind() == constant.Unknown {
		return 0, false, true
	}
	secs, _ := constant.Float64Val(constant.ToFloat(c))
	if duration {
		secs /= nsPerUnit["Seconds"]
	}
	return secs, true, true
}

// returnedValues returns the first result of each return of fn.
func returnedValues(fn *ssa.Function) []ssa.Value {
	var vals []ssa.Value
	for _, b := range fn.Blocks {
		if ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return); ok && len(ret.Results) > 0 {
			vals = append(vals, ret.Results[0])
		}
	}
	return vals
}
