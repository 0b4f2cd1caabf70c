package kvapi

import (
	"go/types"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/tools/go/ssa"
)

// EventCallback reports whether fn is handed to another package to be
// called on each event that package receives, and is given the event: a
// message handler registered with a broker client or a bot library
// (client.Subscribe(topic, qos, in.onTelemetry)), a web framework's
// handler made by a factory (app.Use(s.stamp())). A job that a scheduler
// runs is handed no event, and is not one. Nor is a function this
// package keeps in a field of another package's struct: a command-line
// tool's command (&cobra.Command{RunE: runSeed}), run once an invocation,
// however its signature looks; unless the field is named a hook
// (handler.Config{PreUploadCreateCallback: h.preCreate}, OnMessage).
func (r *Result) EventCallback(fn *ssa.Function) bool {
	r.callbacksOnce.Do(r.findCallbacks)
	if !takesEvent(fn) {
		return false
	}
	return r.callbacks[fn] || fn.Parent() == nil && !r.configured[fn] && r.handlerShaped(fn)
}

// keptInField reports whether this package stores fn in a field of
// another package's struct: a command's action, &cobra.Command{RunE:
// runSeed}, which an operator runs with arguments of their own.
func (r *Result) keptInField(fn *ssa.Function) bool {
	r.callbacksOnce.Do(r.findCallbacks)
	return r.configured[fn]
}

// handlerShaped reports whether fn, a declared function or method (a
// function literal kept in a field is a CLI command's action,
// func(c *cli.Context) error, run once an invocation), less its receiver,
// has the signature
// of a function type that the package of one of its parameters declares:
// a broker client's MessageHandler, func(Client, Message); a task
// queue's HandlerFunc, func(context.Context, *Task) error. Such a
// function is written to be registered as that package's handler, here
// or by the package that wires the program.
func (r *Result) handlerShaped(fn *ssa.Function) bool {
	sig := types.NewSignatureType(nil, nil, nil, fn.Signature.Params(), fn.Signature.Results(), fn.Signature.Variadic())
	for p := range fn.Signature.Params().Variables() {
		t := p.Type()
		if ptr, ok := t.Underlying().(*types.Pointer); ok {
			t = ptr.Elem()
		}
		named, ok := types.Unalias(t).(*types.Named)
		if !ok || named.Obj().Pkg() == nil || Stdlib(named.Obj().Pkg().Path()) {
			continue
		}
		for _, ft := range r.funcTypes(named.Obj().Pkg()) {
			if types.Identical(ft, sig) {
				return true
			}
		}
	}
	return false
}

// funcTypes returns the signatures of the function types that pkg
// declares, and of the hook fields of its structs (a resumable-upload
// server's Config.PreUploadCreateCallback), read once a package.
func (r *Result) funcTypes(pkg *types.Package) []*types.Signature {
	if sigs, ok := r.declaredFuncs.Load(pkg); ok {
		return sigs.([]*types.Signature)
	}
	var sigs []*types.Signature
	scope := pkg.Scope()
	for _, name := range scope.Names() {
		tn, ok := scope.Lookup(name).(*types.TypeName)
		if !ok || !tn.Exported() {
			continue
		}
		switch t := tn.Type().Underlying().(type) {
		case *types.Signature:
			sigs = append(sigs, t)
		case *types.Struct:
			for field := range t.Fields() {
				if sig, ok := field.Type().Underlying().(*types.Signature); ok && field.Exported() && hookField(field) {
					sigs = append(sigs, sig)
				}
			}
		}
	}
	r.declaredFuncs.Store(pkg, sigs)
	return sigs
}

// Scheduled reports whether fn runs on a schedule, not on each request:
// named so (periodic, nightly), or kept in a library's field named so,
// &framework.Backend{PeriodicFunc: b.sweep}.
func (r *Result) Scheduled(fn *ssa.Function) bool {
	r.callbacksOnce.Do(r.findCallbacks)
	return r.scheduled[fn] || slices.ContainsFunc(Words(fn.Name()), scheduleWord().MatchString)
}

var scheduleWord = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)^(periodic|periodically|cron|crontab|scheduled|nightly|hourly|daily|weekly)$`)
})

// findCallbacks records the functions of the package given, as values, to
// functions of other packages (r.callbacks), and those stored in fields of
// other packages' structs (r.configured; r.scheduled if the field says it
// runs on a schedule).
func (r *Result) findCallbacks() {
	r.callbacks = make(map[*ssa.Function]bool)
	r.configured = make(map[*ssa.Function]bool)
	r.scheduled = make(map[*ssa.Function]bool)
	var found map[*ssa.Function]bool
	var add func(v ssa.Value, depth int)
	add = func(v ssa.Value, depth int) {
		switch x := v.(type) {
		case *ssa.ChangeType:
			add(x.X, depth) // asynq.HandlerFunc(h.process)
			return
		case *ssa.Convert:
			add(x.X, depth)
			return
		case *ssa.MakeInterface:
			add(x.X, depth)
			return
		case *ssa.Slice:
			// The variadic arguments, app.Use(stamp, auth): what is
			// stored in the array.
			if alloc, ok := x.X.(*ssa.Alloc); ok {
				for _, ref := range *alloc.Referrers() {
					if ia, ok := ref.(*ssa.IndexAddr); ok {
						for _, use := range *ia.Referrers() {
							if st, ok := use.(*ssa.Store); ok && st.Addr == ia {
								add(st.Val, depth)
							}
						}
					}
				}
			}
			return
		case *ssa.Call:
			// A factory of this package: what it returns (s.stamp()).
			if callee := x.Call.StaticCallee(); callee != nil && callee.Pkg == r.pkg && depth < 2 {
				for _, ret := range Returns(callee) {
					for _, res := range ret.Results {
						add(res, depth+1)
					}
				}
			}
			return
		}
		fn := FuncValue(v)
		if fn == nil {
			return
		}
		if fn.Synthetic != "" && fn.Object() != nil {
			// A method value, in.onTelemetry: the method it binds.
			if obj, ok := fn.Object().(*types.Func); ok {
				if m := fn.Prog.FuncValue(obj); m != nil {
					fn = m
				}
			}
		}
		found[fn] = true
	}
	for _, fn := range r.funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				switch instr := instr.(type) {
				case ssa.CallInstruction:
					if r.otherPackage(instr.Common()) {
						found = r.callbacks
						for _, a := range instr.Common().Args {
							add(a, 0)
						}
					}
				case *ssa.Store:
					if field, ok := instr.Addr.(*ssa.FieldAddr); ok && r.foreignStruct(field.X.Type()) {
						found = r.configured
						if hookField(FieldOf(field)) {
							found = r.callbacks
						}
						add(instr.Val, 0)
						if slices.ContainsFunc(Words(FieldOf(field).Name()), scheduleWord().MatchString) {
							found = r.scheduled
							add(instr.Val, 0)
						}
					}
				}
			}
		}
	}
}

// hookField reports whether a library's struct field holds a function
// that the library calls on each event, by its name: a resumable-upload
// server's PreUploadCreateCallback, a client's OnMessage, a router's
// NotFoundHandler. A command's RunE or Action is run once an invocation.
func hookField(field *types.Var) bool {
	if field == nil {
		return false
	}
	name := field.Name()
	if len(name) > 2 && strings.HasPrefix(name, "On") && unicode.IsUpper(rune(name[2])) {
		return true
	}
	for _, w := range Words(name) {
		switch strings.ToLower(w) {
		case "callback", "callbacks", "hook", "hooks", "handler", "handlers", "handle", "listener", "listeners":
			return true
		}
	}
	return false
}

// foreignStruct reports whether ptr points to a struct type that a
// package other than this one and the standard library declares.
func (r *Result) foreignStruct(ptr types.Type) bool {
	p, ok := ptr.Underlying().(*types.Pointer)
	if !ok {
		return false
	}
	named, ok := types.Unalias(p.Elem()).(*types.Named)
	if !ok {
		return false
	}
	pkg := named.Obj().Pkg()
	return pkg != nil && pkg != r.pkg.Pkg && !Stdlib(pkg.Path())
}

// otherPackage reports whether call calls a function of another package
// than this one and the standard library, or a method of an interface.
func (r *Result) otherPackage(call *ssa.CallCommon) bool {
	pkg := calleePackage(call)
	return pkg != nil && pkg != r.pkg.Pkg && !Stdlib(pkg.Path())
}

// calleePackage returns the package that declares the function or the
// interface method call calls, or nil.
func calleePackage(call *ssa.CallCommon) *types.Package {
	if call.IsInvoke() {
		return call.Method.Pkg()
	}
	if callee := call.StaticCallee(); callee != nil && callee.Object() != nil {
		return callee.Object().Pkg()
	}
	return nil
}
