package kvapi

import (
	"go/types"
	"strings"

	"golang.org/x/tools/go/ssa"
)

// numberParsers are the standard library's functions that read a number
// or a duration from text.
var numberParsers = map[string]bool{
	"time.ParseDuration": true, "strconv.Atoi": true, "strconv.ParseInt": true,
	"strconv.ParseUint": true, "strconv.ParseFloat": true,
}

// environment names the functions that read an operator's settings: the
// process's environment and command-line flags.
func environment(name string) bool {
	return name == "os.Getenv" || name == "os.LookupEnv" || name == "syscall.Getenv" ||
		strings.HasPrefix(name, "flag.") || strings.HasPrefix(name, "(*flag.FlagSet).")
}

// parsedInput reports whether call reads a number or a duration from text
// that the caller of the code at hand gives, such as a request's query, a
// command's words or a form field: with no check of its own, it is what
// the sender asks for. Text from the environment, from flags, from
// constants or from fields of the receiver is an operator's setting.
func (e *evaluator) parsedInput(call *ssa.Call, f *Frame) bool {
	if !numberParsers[CalleeName(call)] || len(call.Call.Args) == 0 {
		return false
	}
	return e.fromInput(call.Call.Args[0], f, true, map[ssa.Value]bool{}, 0)
}

// gotInput reports whether call is a numeric getter of another package
// on a value the caller gives (a chat command's option, o.IntValue();
// a framework's c.QueryInt("ttl")): what the sender of the command asks
// for.
func (e *evaluator) gotInput(call *ssa.Call, f *Frame) bool {
	var recv ssa.Value
	switch callee := call.Call.StaticCallee(); {
	case call.Call.IsInvoke():
		recv = call.Call.Value
	case callee != nil && callee.Signature.Recv() != nil && len(call.Call.Args) > 0:
		recv = call.Call.Args[0]
	default:
		return false
	}
	if !e.model.otherPackage(&call.Call) {
		return false // a body read here, or the standard library's
	}
	basic, ok := call.Type().Underlying().(*types.Basic)
	if !ok || basic.Info()&types.IsNumeric == 0 {
		return false
	}
	return e.fromInput(recv, f, false, map[ssa.Value]bool{}, 0)
}

// givenBound is the bound of a number of type t that the sender gives:
// none, moving by whole units when t is an integer (a Duration is a
// count of nanoseconds, so any length).
func givenBound(t types.Type) Bound {
	b := Bound{Given: true}
	if basic, ok := t.Underlying().(*types.Basic); ok && basic.Info()&types.IsInteger != 0 && !isDuration(t) {
		b.Step = 1
	}
	return b
}

// receivesInput reports whether fn is handed a request or an event: a
// parameter of type *http.Request, or of a type that a library of
// another module declares (a chat command, a queue's task, an RPC's
// request message), which the library fills from what it receives. A
// function handed only text and numbers may be given an operator's
// settings as well as a sender's; one handed a type of its own module's
// (an adapter's *store.PutOpts) is given what the program's code built.
func (r *Result) receivesInput(fn *ssa.Function) bool {
	for _, p := range fn.Params {
		if types.TypeString(p.Type(), nil) == "*net/http.Request" {
			return true
		}
	}
	// A function is handed an event only where it is handed to the
	// library that calls it, or declared to be; one kept in a command's
	// field is its action, and its flags and arguments are an operator's.
	return fn.Parent() == nil && takesValueOf(fn, r.ofAnotherModule) && !r.keptInField(fn) || r.EventCallback(fn)
}

// ofAnotherModule reports whether pkg belongs to another module than the
// package at hand, when the driver says which module that is.
func (r *Result) ofAnotherModule(pkg *types.Package) bool {
	m := modulePath(r.pass)
	return m == "" || pkg.Path() != m && !strings.HasPrefix(pkg.Path(), m+"/")
}

func isDuration(t types.Type) bool { return types.TypeString(t, nil) == "time.Duration" }

// Stdlib reports whether path is a package of the standard library: its
// first element has no dot, as a module path's host has.
func Stdlib(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}

// fromInput reports whether v is made from a parameter that no frame
// binds, other than a receiver or a context: what the code's caller
// gives. Arguments of calls are followed into this package's helpers and
// the standard library's text functions (strings.Fields(args)); with
// text set, into any call, as text carries what it is made from.
func (e *evaluator) fromInput(v ssa.Value, f *Frame, text bool, seen map[ssa.Value]bool, depth int) bool {
	if depth > maxDepth || seen[v] {
		return false
	}
	seen[v] = true
	next := func(x ssa.Value) bool { return e.fromInput(x, f, text, seen, depth+1) }
	switch v := v.(type) {
	case *ssa.Parameter:
		if arg, outer, ok := f.Bound(v); ok {
			return e.fromInput(arg, outer, text, seen, depth+1)
		}
		fn := v.Parent()
		if fn.Signature.Recv() != nil && len(fn.Params) > 0 && fn.Params[0] == v {
			return false
		}
		return !isContext(v.Type()) && e.model.receivesInput(fn)
	case *ssa.Call:
		name := CalleeName(v)
		if environment(name) {
			return false
		}
		callee := v.Call.StaticCallee()
		followArgs := text || callee != nil && (callee.Pkg == e.model.pkg || callee.Pkg != nil && Stdlib(callee.Pkg.Pkg.Path()))
		if v.Call.IsInvoke() && next(v.Call.Value) {
			return true
		}
		for i, a := range v.Call.Args {
			method := callee != nil && callee.Signature.Recv() != nil && i == 0
			if (method || followArgs) && next(a) {
				return true
			}
		}
	case *ssa.Extract:
		return next(v.Tuple)
	case *ssa.Field:
		return next(v.X)
	case *ssa.FieldAddr:
		return next(v.X)
	case *ssa.Index:
		return next(v.X)
	case *ssa.IndexAddr:
		return next(v.X)
	case *ssa.Lookup:
		return next(v.X) || next(v.Index)
	case *ssa.Slice:
		return next(v.X)
	case *ssa.Convert:
		return next(v.X)
	case *ssa.ChangeType:
		return next(v.X)
	case *ssa.MakeInterface:
		return next(v.X)
	case *ssa.TypeAssert:
		return next(v.X)
	case *ssa.UnOp:
		return next(v.X)
	case *ssa.BinOp:
		return next(v.X) || next(v.Y)
	case *ssa.Phi:
		for _, edge := range v.Edges {
			if next(edge) {
				return true
			}
		}
	case *ssa.Alloc:
		for _, stored := range e.model.storedInto(v) {
			if next(stored) {
				return true
			}
		}
	}
	return false
}

// takesEvent reports whether fn has a parameter of a type that another
// package declares, not the standard library and not a KV SDK: the
// message, update, task or context that a library hands its handlers.
func takesEvent(fn *ssa.Function) bool {
	return takesValueOf(fn, func(*types.Package) bool { return true })
}

// takesValueOf reports whether fn has a parameter of a type that another
// package declares, not the standard library and not a KV SDK, for which
// declaredBy is true.
func takesValueOf(fn *ssa.Function, declaredBy func(*types.Package) bool) bool {
	for i, p := range fn.Params {
		if i == 0 && fn.Signature.Recv() != nil {
			continue
		}
		t := p.Type()
		if ptr, ok := t.Underlying().(*types.Pointer); ok {
			t = ptr.Elem()
		}
		named, ok := types.Unalias(t).(*types.Named)
		if !ok || named.Obj().Pkg() == nil {
			continue
		}
		if path := named.Obj().Pkg().Path(); !Stdlib(path) && !IsSDKPackage(path) && named.Obj().Pkg() != fn.Pkg.Pkg && declaredBy(named.Obj().Pkg()) {
			return true
		}
	}
	return false
}
