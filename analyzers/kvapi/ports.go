package kvapi

// This file finds storage ports: interfaces of the user's own, such as
//
//	type Store interface {
//		Get(ctx context.Context, key string) ([]byte, error)
//		Set(ctx context.Context, key string, v []byte, ttl time.Duration) error
//	}
//
// with an adapter that implements them over a KV SDK, fakes beside it,
// and services that see only the interface. A package that calls
// Store.Set need not import the adapter (main wires them), so no fact can
// tell it what the call does; only a driver that sees the whole program
// can. The kvlint command analyses the program, hands the WrapperFacts of
// the methods it found to Discover, and analyses again with the interface
// methods whose implementations wrap KV known as those wrappers. Fakes and
// in-memory implementations have no facts, so they hide nothing.

import (
	"go/token"
	"go/types"
	"slices"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/tools/go/analysis"
)

// Discover returns the methods of the interfaces declared in pkgs that
// have an implementation among the wrappers of facts, each with the
// operations of its KV implementations. It adds what it finds to the
// configuration (see Interfaces), and reports whether that is anything new.
func (c *Interfaces) Discover(pkgs []*types.Package, facts []analysis.ObjectFact) (grew bool) {
	var impls []*types.Func
	// wraps are what an implementation does with KV itself; viaPort what
	// it does through another port, which counts only for an interface
	// that no implementation wraps KV for itself: InviteStore.Save over
	// Store.Put. A decorator of a port adds nothing to that port.
	wraps := make(map[*types.Func][]WrappedOp)
	viaPort := make(map[*types.Func][]WrappedOp)
	factories := make(map[*types.Func][]WrappedOp) // of closures a function returns: n.Exec()
	grew = c.discoverFields(facts)
	for _, f := range facts {
		if fact, ok := f.Fact.(*FactoryFact); ok {
			if fn, ok := f.Object.(*types.Func); ok && fn.Signature().Results().Len() == 1 {
				if sig, ok := fn.Signature().Results().At(0).Type().Underlying().(*types.Signature); ok {
					factories[fn] = ownOps(fact.Ops, sig.Params().Len())
				}
			}
		}
	}
	for _, f := range facts {
		fact, ok := f.Fact.(*WrapperFact)
		fn, isFunc := f.Object.(*types.Func)
		if !ok || !isFunc || fn.Signature().Recv() == nil || types.IsInterface(fn.Signature().Recv().Type()) {
			continue
		}
		impls = append(impls, fn)
		for _, w := range fact.Ops {
			switch {
			case w.Field != "":
			case w.ViaPort:
				viaPort[fn] = append(viaPort[fn], w)
			default:
				wraps[fn] = append(wraps[fn], w)
			}
		}
	}
	if c.found == nil {
		c.found = make(map[*types.Func][]WrappedOp)
		c.foundIn = make(map[*types.Func]map[*types.Func][]WrappedOp)
	}
	var funcFields []FuncFieldsFact
	all := make(map[*types.Func][]WrappedOp)
	for _, f := range facts {
		switch fact := f.Fact.(type) {
		case *FuncFieldsFact:
			funcFields = append(funcFields, *fact)
		case *WrapperFact:
			if fn, ok := f.Object.(*types.Func); ok {
				all[fn] = fact.Ops
			}
		}
	}
	// An analyzer's fact with an IteratorBudgeted method marks a listing
	// iterator; an interface method that such an implementation serves is
	// one too.
	iterators := make(map[*types.Func]bool)
	for _, f := range facts {
		if it, ok := f.Fact.(interface{ IteratorBudgeted() bool }); ok {
			if fn, ok := f.Object.(*types.Func); ok && fn.Signature().Recv() != nil {
				iterators[fn] = it.IteratorBudgeted()
			}
		}
	}
	if c.iterators == nil {
		c.iterators = make(map[*types.Func]bool)
	}
	builders := make(map[*types.Func]*BuiltFact)
	for _, f := range facts {
		if b, ok := f.Fact.(*BuiltFact); ok {
			if fn, ok := f.Object.(*types.Func); ok && fn.Signature().Recv() != nil && !types.IsInterface(fn.Signature().Recv().Type()) {
				builders[fn] = b
			}
		}
	}
	if c.builders == nil {
		c.builders = make(map[*types.Func]*BuiltFact)
	}
	reported := make(map[*types.Func][]string)
	if c.reportedVia == nil {
		c.reportedVia = make(map[*types.Func][]string)
	}
	var newlyReported []*types.Func
	for _, f := range facts {
		if r, ok := f.Fact.(interface{ ReportedBy() string }); ok {
			if fn, ok := f.Object.(*types.Func); ok {
				reported[fn] = append(reported[fn], r.ReportedBy())
				// Also for callers that reach fn through a field that
				// main fills, without importing fn's package.
				if !slices.Contains(c.reportedVia[fn], r.ReportedBy()) {
					c.reportedVia[fn] = append(c.reportedVia[fn], r.ReportedBy())
					newlyReported = append(newlyReported, fn)
				}
			}
		}
	}
	defer func() {
		if c.discoverFuncFields(pkgs, funcFields, all) {
			grew = true
		}
		// Another analysis is worth it only for a caller through a field.
		for _, fn := range newlyReported {
			for _, wired := range c.funcFields {
				grew = grew || wired == fn
			}
		}
	}()
	for _, pkg := range pkgs {
		for _, name := range pkg.Scope().Names() {
			tn, ok := pkg.Scope().Lookup(name).(*types.TypeName)
			if !ok || tn.IsAlias() {
				continue
			}
			named, ok := tn.Type().(*types.Named)
			if !ok {
				continue
			}
			if sig, ok := named.Underlying().(*types.Signature); ok {
				grew = c.discoverFuncType(named, sig, wraps, factories) || grew
				continue
			}
			iface, ok := named.Underlying().(*types.Interface)
			if !ok || iface.NumMethods() == 0 {
				continue
			}
			// An implementation that holds the interface itself decorates
			// it: a service that caches an upstream Provider in KV, and
			// satisfies Provider too, does not make every call of the
			// upstream a KV operation.
			var own []*types.Func
			for _, impl := range impls {
				if implements(impl, named) && !holds(impl, named) {
					own = append(own, impl)
				}
			}
			for impl, budgeted := range iterators {
				m := interfaceMethod(iface, impl)
				if m == nil || !implements(impl, named) || holds(impl, named) {
					continue
				}
				// Budgeted only if every implementation is.
				if was, seen := c.iterators[m]; !seen || was && !budgeted {
					c.iterators[m] = budgeted
					grew = true
				}
			}
			for impl, b := range builders {
				m := interfaceMethod(iface, impl)
				if m == nil || !implements(impl, named) || holds(impl, named) {
					continue
				}
				// One way of building for every implementation, or none.
				if was, seen := c.builders[m]; !seen {
					c.builders[m] = b
					grew = true
				} else if was != nil && was.String() != b.String() {
					c.builders[m] = nil
					grew = true
				}
			}
			direct := make(map[*types.Func]bool) // the interface's methods some implementation wraps KV for
			for _, impl := range own {
				if m := interfaceMethod(iface, impl); m != nil && len(wraps[impl]) > 0 {
					direct[m] = true
				}
			}
			for _, impl := range own {
				m := interfaceMethod(iface, impl)
				if m == nil {
					continue
				}
				ops := wraps[impl]
				if !direct[m] {
					ops = viaPort[impl]
				}
				for _, w := range ops {
					if !slices.ContainsFunc(c.found[m], func(x WrappedOp) bool { return sameOp(x, w) }) {
						c.found[m] = append(c.found[m], w)
						grew = true
					}
					if c.foundIn[m] == nil {
						c.foundIn[m] = make(map[*types.Func][]WrappedOp)
					}
					if !slices.ContainsFunc(c.foundIn[m][impl], func(x WrappedOp) bool { return sameOp(x, w) }) {
						c.foundIn[m][impl] = append(c.foundIn[m][impl], w)
					}
				}
				for _, name := range reported[impl] {
					if len(ops) > 0 && !slices.Contains(c.reportedVia[m], name) {
						c.reportedVia[m] = append(c.reportedVia[m], name)
						grew = true
					}
				}
			}
		}
	}
	return grew
}

// discoverFuncType records the operations of the wrappers whose
// signature is the function type named's: the adapter's Exec method for
// type Exec func(ctx, Op) (Result, error). It reports whether it found
// anything new.
func (c *Interfaces) discoverFuncType(named *types.Named, sig *types.Signature, wraps, factories map[*types.Func][]WrappedOp) bool {
	if named.TypeParams().Len() > 0 || sig.Params().Len() == 0 {
		return false
	}
	if c.funcTypes == nil {
		c.funcTypes = make(map[string][]funcTypeOp)
	}
	key := types.TypeString(named, nil)
	var found []funcTypeOp
	for fn, ops := range wraps {
		fsig := fn.Signature()
		bare := types.NewSignatureType(nil, nil, nil, fsig.Params(), fsig.Results(), fsig.Variadic())
		if types.Identical(bare, sig) && dispatches(ops) {
			for _, w := range ops {
				found = append(found, funcTypeOp{op: w, fn: fn})
			}
		}
	}
	// A factory that returns the executor as a closure: func (n
	// *Namespace) Exec() kvop.Exec.
	for fn, ops := range factories {
		res := fn.Signature().Results()
		// By name: a fact's types come from another package's view of
		// the type, not the same object.
		if res.Len() == 1 && types.TypeString(res.At(0).Type(), nil) == key && dispatches(ops) {
			for _, w := range ops {
				found = append(found, funcTypeOp{op: w, fn: fn, factory: true})
			}
		}
	}
	slices.SortStableFunc(found, func(a, b funcTypeOp) int { return strings.Compare(a.fn.FullName(), b.fn.FullName()) })
	grew := false
	for _, fo := range found {
		if !slices.ContainsFunc(c.funcTypes[key], func(x funcTypeOp) bool { return x.fn == fo.fn && sameOp(x.op, fo.op) }) {
			c.funcTypes[key] = append(c.funcTypes[key], fo)
			grew = true
		}
	}
	return grew
}

// dispatches reports whether ops are an executor's: operations of more
// than one kind, each run only for some arguments (a switch on op.Kind).
// A function of one kind, a getter, is already followed as a function
// value by what its callers are given. (An operation whose conditions
// are not known, reached through a helper, is run by no call: see
// funcTypeOps.)
func dispatches(ops []WrappedOp) bool {
	roles := make(map[Role]bool)
	for _, w := range ops {
		if len(w.Conds) > 0 {
			roles[w.Role] = true
		}
	}
	return len(roles) > 1
}

// wrapped returns what Discover found for the interface method fn, also
// when fn is a method of an instance of a generic port (Store[string, int]).
func (c *Interfaces) wrapped(fn *types.Func) []WrappedOp {
	if fn == fn.Origin() {
		return c.found[fn]
	}
	// A method of an instance of a generic port: the operations of the
	// implementations whose own parameter types fit the instance's (the
	// JSONCache[K, V] of a Cache[string, ETA], not a raw adapter whose Put
	// takes []byte), in the order Discover found them.
	var ops []WrappedOp
	for _, w := range c.found[fn.Origin()] {
		for impl, implOps := range c.foundIn[fn.Origin()] {
			if fitsInstance(impl.Signature(), fn.Signature()) && slices.ContainsFunc(implOps, func(x WrappedOp) bool { return sameOp(x, w) }) {
				ops = append(ops, w)
				break
			}
		}
	}
	return ops
}

// fitsInstance reports whether an implementation's method of signature
// impl can serve the method of an interface instance of signature inst:
// each parameter and result that impl fixes (that is no type parameter of
// its own) is inst's.
func fitsInstance(impl, inst *types.Signature) bool {
	fits := func(a, b *types.Tuple) bool {
		if a.Len() != b.Len() {
			return true // not comparable here; keep it
		}
		for i := range a.Len() {
			if t := a.At(i).Type(); !mentionsTypeParam(t) && !types.Identical(t, b.At(i).Type()) {
				return false
			}
		}
		return true
	}
	return fits(impl.Params(), inst.Params()) && fits(impl.Results(), inst.Results())
}

// Forget drops what Discover found: the next program is another.
func (c *Interfaces) Forget() {
	c.found, c.foundIn, c.fields, c.funcFields, c.fieldFuncs, c.reportedVia, c.iterators, c.funcTypes, c.builders = nil, nil, nil, nil, nil, nil, nil, nil, nil
}

// ReportedInside reports whether the pass's analyzer reported an operation
// inside the function that op calls: a wrapper, whose fact says so (see
// the analyzers' reportedFacts, which have a ReportedBy method), or a
// storage port, one of whose implementations it is. A finding inside is
// not repeated at each caller.
func (r *Result) ReportedInside(pass *analysis.Pass, op *Op, fact analysis.Fact) bool {
	// A port named in -kvapi.interfaces, which go vet cannot discover,
	// implemented in this package: its implementation was checked first.
	if call := op.Call.Common(); call.IsInvoke() {
		for _, fn := range r.implementationsOf(call.Value.Type(), call.Method) {
			if obj, ok := fn.Object().(*types.Func); ok && pass.ImportObjectFact(obj, fact) {
				return true
			}
		}
	}
	if op.Configured() {
		// A port whose entry the kvlint command printed for go vet says
		// which analyzers reported inside its implementations.
		return slices.Contains(r.ifaces.reportedRows[op.Method.entryName()], pass.Analyzer.Name)
	}
	if op.Wrapped == nil || op.Wrapper == nil { // an executor's function value has no wrapper
		return false
	}
	if op.via != nil && pass.ImportObjectFact(op.via.Origin(), fact) {
		return true // inside the function the wrapper was given
	}
	return pass.ImportObjectFact(op.Wrapper.Origin(), fact) || slices.Contains(r.ifaces.reportedVia[op.Wrapper.Origin()], pass.Analyzer.Name)
}

// PortIterator reports whether m, an interface method, is served in the
// program by listing iterators (see Discover), and whether each of them
// keeps a budget of its own.
func (r *Result) PortIterator(m *types.Func) (budgeted, ok bool) {
	budgeted, ok = r.ifaces.iterators[m.Origin()]
	return budgeted, ok
}

// discoverFields gathers the program's FieldUsesFacts, and reports
// whether they name a field or a use not known before.
func (c *Interfaces) discoverFields(facts []analysis.ObjectFact) bool {
	if c.fields == nil {
		c.fields = make(map[string][]WrappedOp)
	}
	grew := false
	for _, f := range facts {
		fact, ok := f.Fact.(*FieldUsesFact)
		if !ok {
			continue
		}
		for _, u := range fact.Uses {
			if !slices.ContainsFunc(c.fields[u.Field], func(x WrappedOp) bool { return sameOp(x, u.Op) }) {
				c.fields[u.Field] = append(c.fields[u.Field], u.Op)
				grew = true
			}
		}
	}
	return grew
}

// interfaceMethod returns the method of iface that impl would implement.
func interfaceMethod(iface *types.Interface, impl *types.Func) *types.Func {
	for m := range iface.Methods() {
		if m.Name() == impl.Name() {
			return m
		}
	}
	return nil
}

// implements reports whether impl's receiver type, or a pointer to it,
// implements the interface named. A generic port (Store[K, V]) and a
// generic implementation (typed[K, V, C]) have no instances here, so they
// are compared method by method, a type parameter on either side matching
// any type.
func implements(impl *types.Func, named *types.Named) bool {
	iface := named.Underlying().(*types.Interface)
	recv := impl.Signature().Recv().Type()
	if ptr, ok := recv.(*types.Pointer); ok {
		recv = ptr.Elem()
	}
	generic, ok := types.Unalias(recv).(*types.Named)
	if !ok || named.TypeParams().Len() == 0 && generic.TypeParams().Len() == 0 {
		return types.Implements(recv, iface) || types.Implements(types.NewPointer(recv), iface)
	}
	if named.TypeParams().Len() == 0 {
		return false // a generic implementation of a plain port is one per instance, which we do not have
	}
	for m := range iface.Methods() {
		obj, _, _ := types.LookupFieldOrMethod(types.NewPointer(generic), false, m.Pkg(), m.Name())
		fn, ok := obj.(*types.Func)
		if !ok || !looselyIdentical(fn.Signature(), m.Signature()) {
			return false
		}
	}
	return true
}

// looselyIdentical reports whether x and y are identical signatures once
// every type that mentions a type parameter is taken to match.
func looselyIdentical(x, y *types.Signature) bool {
	if x.Variadic() != y.Variadic() || x.Params().Len() != y.Params().Len() || x.Results().Len() != y.Results().Len() {
		return false
	}
	same := func(a, b *types.Tuple) bool {
		for i := range a.Len() {
			s, t := a.At(i).Type(), b.At(i).Type()
			if !types.Identical(s, t) && !mentionsTypeParam(s) && !mentionsTypeParam(t) {
				return false
			}
		}
		return true
	}
	return same(x.Params(), y.Params()) && same(x.Results(), y.Results())
}

// mentionsTypeParam reports whether t is or is built from a type parameter.
func mentionsTypeParam(t types.Type) bool {
	switch t := types.Unalias(t).(type) {
	case *types.TypeParam:
		return true
	case *types.Pointer:
		return mentionsTypeParam(t.Elem())
	case *types.Slice:
		return mentionsTypeParam(t.Elem())
	case *types.Array:
		return mentionsTypeParam(t.Elem())
	case *types.Chan:
		return mentionsTypeParam(t.Elem())
	case *types.Map:
		return mentionsTypeParam(t.Key()) || mentionsTypeParam(t.Elem())
	case *types.Named:
		for a := range t.TypeArgs().Types() {
			if mentionsTypeParam(a) {
				return true
			}
		}
	case *types.Signature:
		for v := range t.Params().Variables() {
			if mentionsTypeParam(v.Type()) {
				return true
			}
		}
		for v := range t.Results().Variables() {
			if mentionsTypeParam(v.Type()) {
				return true
			}
		}
	}
	return false
}

// holds reports whether impl's receiver is a struct with a field of type
// t (or of an instance of it), or a pointer to one.
func holds(impl *types.Func, t *types.Named) bool {
	st, ok := derefStruct(impl.Signature().Recv().Type())
	if !ok {
		return false
	}
	for f := range st.Fields() {
		ft := f.Type()
		if ptr, ok := ft.(*types.Pointer); ok {
			ft = ptr.Elem()
		}
		if n, ok := types.Unalias(ft).(*types.Named); ok && n.Origin() == t.Origin() {
			return true
		}
	}
	return false
}

func sameOp(a, b WrappedOp) bool {
	return a.Method == b.Method && a.String() == b.String()
}

// Found returns what Discover found in the syntax of -kvapi.interfaces,
// for go vet and other drivers that see one package at a time: the
// operands that a KV implementation takes straight from a parameter, or
// from a field of one. An operand computed inside the implementation in
// another way (a key prefix, a unit conversion) cannot be said in that
// syntax and is left out, and so is a method none of whose operands can.
func (c *Interfaces) Found() string {
	var entries []string
	rows := make(map[string]map[string][]string) // by method, by role: the operands' locations
	reportedBy := make(map[string][]string)      // by method: the analyzers that reported inside
	for m, ws := range c.found {
		named, ok := types.Unalias(m.Signature().Recv().Type()).(*types.Named)
		if !ok || m.Pkg() == nil {
			continue
		}
		for _, w := range ws {
			if w.ViaPort && (named.TypeParams().Len() == 0 || mixedRoles(ws) || len(c.reportedVia[m]) > 0) {
				// A port over another port: go vet could not tell whether
				// its implementation was reported inside, and would report
				// again at each call (a revocation, a counter). A generic
				// view that only encodes (a typed Store[K, V] over the byte
				// port) passes one kind of call on, and is printed.
				continue
			}
			var args []string
			for _, ot := range w.Operands {
				if len(ot.Terms) != 1 || ot.Operand == Namespace {
					continue
				}
				if loc, ok := paramLocation(ot.Terms[0], ot.Operand); ok {
					args = append(args, operandFlagName(ot.Operand)+"="+loc)
				}
			}
			if len(args) == 0 {
				continue
			}
			name := m.Pkg().Path() + "." + named.Obj().Name() + "." + m.Name()
			reportedBy[name] = c.reportedVia[m]
			role := strings.ToLower(w.Role.String())
			if rows[name] == nil {
				rows[name] = make(map[string][]string)
			}
			rows[name][role] = append(rows[name][role], args...)
		}
	}
	for name, roles := range rows {
		// An adapter that writes one key with a bulk request when given a
		// TTL (cloudflare-go v2 and v3 take a TTL only there) and with a
		// single put otherwise is a put to its callers, with both's operands.
		if put, bulk := roles["put"], roles["bulk put"]; put != nil && bulk != nil {
			for _, a := range bulk {
				operand, _, _ := strings.Cut(a, "=")
				if !slices.ContainsFunc(put, func(p string) bool { return strings.HasPrefix(p, operand+"=") }) {
					put = append(put, a)
				}
			}
			roles["put"] = put
			delete(roles, "bulk put")
		}
		for role, args := range roles {
			sort.Strings(args)
			args = slices.Compact(args)
			if givenTwice(args) {
				continue // operations that read one operand from two places: no entry says that
			}
			// Go vet cannot tell that an implementation was reported
			// inside (a session deleted, a count kept): the entry says so,
			// and a call is not reported again.
			for _, analyzer := range slices.Sorted(slices.Values(reportedBy[name])) {
				args = append(args, "reported="+analyzer)
			}
			entries = append(entries, name+"="+role+"("+strings.Join(args, ",")+")")
		}
	}
	// The fields that operations read a lifetime or a limit from, when
	// the operand is the field's value as it is, or a time.Duration's
	// seconds: a port's options applied by its adapter, a config struct.
	for id, ws := range c.fields {
		if !token.IsExported(id[strings.LastIndex(id, ".")+1:]) {
			continue // set only in its own package, which sees the use
		}
		for _, w := range ws {
			if len(w.Operands) != 1 || len(w.Operands[0].Terms) != 1 {
				continue
			}
			if t := asSent(w.Operands[0]); t.Op == TermParam && t.Index == fieldSlot {
				entries = append(entries, id+"="+strings.ReplaceAll(w.Role.String(), " ", "")+"("+operandFlagName(w.Operands[0].Operand)+")")
			}
		}
	}
	sort.Strings(entries)
	entries = slices.Compact(entries)
	// One row per name: an adapter that writes one key with a bulk
	// request (cloudflare-go v2 and v3 take a TTL only there) is a put
	// to its callers.
	single := make(map[string]bool)
	for _, e := range entries {
		name, spec, _ := strings.Cut(e, "=")
		if !strings.HasPrefix(spec, "bulk") {
			single[name] = true
		}
	}
	entries = slices.DeleteFunc(entries, func(e string) bool {
		name, spec, _ := strings.Cut(e, "=")
		return strings.HasPrefix(spec, "bulk") && single[name]
	})
	return strings.Join(entries, ";")
}

// mixedRoles reports whether ws are operations of more than one role: a
// get and a put, which no configured row can say.
func mixedRoles(ws []WrappedOp) bool {
	for _, w := range ws {
		if w.Role != ws[0].Role {
			return true
		}
	}
	return false
}

// givenTwice reports whether sorted operand locations name an operand
// twice (value=1 and value=1.ID).
func givenTwice(args []string) bool {
	for i := 1; i < len(args); i++ {
		a, _, _ := strings.Cut(args[i-1], "=")
		b, _, _ := strings.Cut(args[i], "=")
		if a == b {
			return true
		}
	}
	return false
}

// asIs strips from t what keeps a value what it is, as a configured
// operand reads it: conversions, a Duration's Seconds(), one-armed phis.
// (d / time.Second is left: whether d is a Duration there is not known.)
func asIs(t *Term) *Term {
	for {
		switch {
		case (t.Op == TermConvert || t.Op == TermPhi || t.Op == TermCall && passThrough[t.Name]) && len(t.Args) == 1:
			t = t.Args[0]
		case t.Op == TermPhi:
			v := zeroWhenUnset(t)
			if v == nil {
				return t
			}
			t = v
		default:
			return t
		}
	}
}

// asSent returns the value an operand's one Term sends as it is, or in the
// units KV takes: a time.Duration as its seconds, an expiration's
// time.Time as its Unix seconds.
func asSent(ot OperandTerms) *Term {
	t := durationOf(asIs(ot.Terms[0])) // int(d / time.Second), as d.Seconds()
	if ot.Operand == Expiration && t.Op == TermCall && t.Name == unixSeconds && len(t.Args) == 1 {
		t = asIs(t.Args[0])
	}
	return t
}

// zeroWhenUnset returns v for a phi that is 0 where v is not given and v
// elsewhere (if o.TTL <= 0 { return 0 }; return int(o.TTL.Seconds())):
// a lifetime of 0 means none either way.
func zeroWhenUnset(t *Term) *Term {
	if len(t.Args) != 2 || len(t.Conds) != 2 {
		return nil
	}
	for i, zero := range t.Args {
		if !isZero(zero) {
			continue
		}
		value := durationOf(asIs(t.Args[1-i]))
		for _, c := range t.Conds[i] {
			if tested, given, ok := givenTest(c); ok && !given && tested.String() == value.String() {
				return t.Args[1-i]
			}
		}
	}
	return nil
}

// durationOf returns d for int(d / time.Second), the seconds of a
// time.Duration as an adapter converts them by hand; else t.
func durationOf(t *Term) *Term {
	if t.Op == TermBinOp && t.Tok == token.QUO && len(t.Args) == 2 && t.Args[1].Op == TermConst && t.Args[1].Value == "1000000000" {
		return asIs(t.Args[0])
	}
	return t
}

// operandFlagName is the name of o in -kvapi.interfaces.
func operandFlagName(o Operand) string {
	for name, op := range operandByName {
		if op == o {
			return name
		}
	}
	return strings.ToLower(o.String())
}

// paramLocation returns where a Term of an implementation takes its value
// as INDEX[.FIELD], counting the interface method's parameters from 0
// (the implementation's receiver is parameter 0 of its Terms). The
// conversions an adapter applies on the way, string(v) or ttl.Seconds(),
// are what a configured operand implies: a lifetime given as a
// time.Duration is read as one, and an expiration given as a time.Time
// as its Unix seconds.
func paramLocation(t *Term, o Operand) (string, bool) {
	lifetime := o == TTL || o == Expiration || o == CacheTTL
	// A one-armed phi is an operand set only under a condition (if
	// q.Prefix != ""). For a lifetime the condition matters, as a
	// configured TTL has no guard, unless it only asks whether a lifetime
	// was given at all (ttl > 0, !at.IsZero()): a caller's 0 then means
	// "no expiry" both ways.
	for (t.Op == TermConvert || t.Op == TermPhi && (!lifetime || setOnlyWhenGiven(t)) || t.Op == TermCall && (passThrough[t.Name] || !lifetime && (escapeFuncs[t.Name] != nil || stringerKey(t)) || o == Expiration && t.Name == unixSeconds)) && len(t.Args) == 1 {
		t = t.Args[0]
	}
	if lifetime {
		t = durationOf(t)
	}
	if !lifetime {
		t = prefixed(t)
	}
	switch {
	case t.Op == TermParam && t.Index > 0:
		return strconv.Itoa(t.Index - 1), true
	case t.Op == TermField && len(t.Args) == 1 && t.Args[0].Op == TermParam && t.Args[0].Index > 0:
		return strconv.Itoa(t.Args[0].Index-1) + "." + t.Name, true
	}
	return "", false
}

// stringerKey reports whether t asks a parameter for its String(): a
// key given as a fmt.Stringer, which the configured operand reads whole.
func stringerKey(t *Term) bool {
	return t.Name == keyMethodPrefix+"String" && t.Args[0].Op == TermParam
}

// readsParam reports whether t reads a parameter itself, not only through
// a value that Terms cannot express (an error a call returned).
func readsParam(t *Term) bool {
	if t.Op == TermParam {
		return true
	}
	if t.Op == TermOpaque {
		return false
	}
	return slices.ContainsFunc(t.Args, readsParam)
}

// setOnlyWhenGiven reports whether the one-armed phi t is taken only when
// its own value is given: every condition on its path asks whether a
// parameter (or a field of one) is set, and one asks it of t's value
// (case opts.TTL > 0: ... case !opts.ExpireAt.IsZero(): ...).
func setOnlyWhenGiven(t *Term) bool {
	value := durationOf(asIs(t.Args[0]))
	for value.Op == TermCall && value.Name == unixSeconds && len(value.Args) == 1 {
		value = asIs(value.Args[0])
	}
	own := false
	for _, c := range t.Conds[0] {
		if !readsParam(c.Term) {
			continue // the adapter's own state (its binding opened, err == nil), not what the caller gave
		}
		tested, given, ok := givenTest(c)
		if !ok {
			return false
		}
		if tested.String() == value.String() {
			if !given {
				return false
			}
			own = true
		}
	}
	return own
}

// givenTest returns the parameter or parameter field that c tests for
// being set (x > 0, x != 0, !x.IsZero()), and whether c holds when it is.
func givenTest(c Cond) (tested *Term, given, ok bool) {
	t, given := c.Term, c.Want
	for t.Op == TermUnOp && t.Tok == token.NOT && len(t.Args) == 1 {
		t, given = t.Args[0], !given
	}
	var x *Term
	switch {
	case t.Op == TermCall && t.Name == "(time.Time).IsZero" && len(t.Args) == 1:
		x, given = t.Args[0], !given
	case t.Op == TermBinOp && len(t.Args) == 2 && isZero(t.Args[1]):
		x = t.Args[0]
		switch t.Tok {
		case token.GTR, token.NEQ:
		case token.LEQ, token.EQL:
			given = !given
		default:
			return nil, false, false
		}
	default:
		return nil, false, false
	}
	x = asIs(x)
	if !(x.Op == TermParam || x.Op == TermField && len(x.Args) == 1 && x.Args[0].Op == TermParam) {
		return nil, false, false
	}
	return x, given, true
}

func isZero(t *Term) bool {
	return t.Op == TermConst && (t.Value == "0" || t.Value == "0.0")
}

// prefixed returns the parameter of a key that an implementation prefixes
// with a constant or one of its own fields (s.prefix + key): the same key
// given through one port is the same key sent, which is what go vet needs
// to pair a get with a put; the prefix's text is what it loses.
func prefixed(t *Term) *Term {
	for t.Op == TermBinOp && t.Tok == token.ADD && len(t.Args) == 2 {
		head, tail := t.Args[0], t.Args[1]
		if !fixedByImplementation(head) {
			return t
		}
		t = tail
	}
	return t
}

// fixedByImplementation reports whether t is a constant, or a field of
// the implementation's receiver (parameter 0).
func fixedByImplementation(t *Term) bool {
	switch t.Op {
	case TermConst:
		return true
	case TermField:
		return len(t.Args) == 1 && (t.Args[0].Op == TermParam && t.Args[0].Index == 0 || fixedByImplementation(t.Args[0]))
	}
	return false
}

// passThrough are the calls that keep a value what it is, for Found.
var passThrough = map[string]bool{"(time.Duration).Seconds": true, "math.Ceil": true, "shared.UnionString": true}
