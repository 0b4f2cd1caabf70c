package kvapi

import (
	"go/types"

	"golang.org/x/tools/go/ssa"
)

// onFake reports whether a call reaches a storage port (an interface
// method found or configured to be KV) only on a value that the caller
// builds from a concrete type that does not use KV: an in-memory fake
// handed to a service or to a generic helper in a test. Such a call
// cannot touch KV, whatever the port's real implementation does.
func (r *Result) onFake(args []ssa.Value, w *WrappedOp) bool {
	recv := -1
	if w == nil {
		recv = 0 // an interface method: the receiver
	} else {
		for _, t := range w.operand(Namespace).Terms {
			i, ok := rootParam(t)
			if !ok || recv >= 0 && i != recv {
				return false
			}
			recv = i
		}
	}
	if recv < 0 || recv >= len(args) {
		return false
	}
	v := args[recv]
	for {
		ct, ok := v.(*ssa.ChangeType)
		if !ok {
			break
		}
		v = ct.X
	}
	mi, ok := v.(*ssa.MakeInterface)
	if !ok {
		return false
	}
	return r.withoutKV(mi.X.Type())
}

// givenFake reports whether a setter's call is given an in-memory fake
// for a storage port among its arguments: a constructor that a test gives
// a fake store builds a value that never reaches KV, whatever lifetime it
// keeps.
func (r *Result) givenFake(args []ssa.Value) bool {
	for _, a := range args {
		for {
			ct, ok := a.(*ssa.ChangeType)
			if !ok {
				break
			}
			a = ct.X
		}
		mi, ok := a.(*ssa.MakeInterface)
		if !ok {
			continue
		}
		iface, ok := mi.Type().Underlying().(*types.Interface)
		if !ok {
			continue
		}
		for m := range iface.Methods() {
			if r.ifaces.wrapped(m) != nil && r.withoutKV(mi.X.Type()) {
				return true
			}
		}
	}
	return false
}

// optionForFake reports whether the option value that call makes is given
// only to methods of implementations that never reach KV: kv.WithTTL(d)
// passed to an in-memory store's Put.
func (r *Result) optionForFake(call ssa.CallInstruction) bool {
	v, ok := call.(*ssa.Call)
	if !ok {
		return false
	}
	calls := optionCalls(v)
	for _, c := range calls {
		callee := c.Common().StaticCallee()
		if callee == nil || callee.Signature.Recv() == nil {
			return false
		}
		recv := callee.Signature.Recv().Type()
		if !r.withoutKV(recv) || delegates(recv) {
			return false
		}
	}
	return len(calls) > 0
}

// delegates reports whether a struct type, or the struct a pointer type
// points to, has a field of interface or function type: a decorator whose
// methods may pass what they are given on to KV.
func delegates(t types.Type) bool {
	if ptr, ok := t.Underlying().(*types.Pointer); ok {
		t = ptr.Elem()
	}
	st, ok := t.Underlying().(*types.Struct)
	if !ok {
		return true
	}
	for f := range st.Fields() {
		switch f.Type().Underlying().(type) {
		case *types.Interface, *types.Signature:
			return true
		}
	}
	return false
}

// rootParam returns the parameter that t selects from: $1 in (ns (cfg $1)).
func rootParam(t *Term) (int, bool) {
	for (t.Op == TermField || t.Op == TermConvert) && len(t.Args) == 1 {
		t = t.Args[0]
	}
	return t.Index, t.Op == TermParam
}

// withoutKV reports whether t is a named type of the user's whose methods
// wrap no KV operation.
func (r *Result) withoutKV(t types.Type) bool {
	if ptr, ok := t.(*types.Pointer); ok {
		t = ptr.Elem()
	}
	named, ok := types.Unalias(t).(*types.Named)
	if !ok || named.Obj().Pkg() == nil || inSDK(named.Obj().Pkg().Path()) || types.IsInterface(named) {
		return false
	}
	mset := types.NewMethodSet(types.NewPointer(named))
	for i := range mset.Len() {
		fn, ok := mset.At(i).Obj().(*types.Func)
		if !ok {
			continue
		}
		if r.ifaces.wrapped(fn) != nil || r.pass.ImportObjectFact(fn.Origin(), new(WrapperFact)) {
			return false
		}
	}
	return true
}
