package kvapi

import (
	"fmt"
	"go/constant"
	"go/token"
	"go/types"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Interfaces are KV-shaped interfaces that the user names, so that code
// written against an interface for testability is checked too:
//
//	-kvapi.interfaces='example.com/store.Cache.Get=get(key=1);example.com/store.Cache.Put=put(key=1,value=2,ttl=3)'
//
// Each entry is PKG.TYPE.METHOD=ROLE(OPERAND=INDEX[.FIELD],...), where
// INDEX counts the method's parameters from 0 and the namespace is the
// interface value unless given. It is a flag, so that go vet, golangci-lint
// and the kvlint command all see the same configuration.
type Interfaces struct {
	raw  string
	rows []*Method
	// configured are the field entries of the flag, PKG.TYPE.FIELD=ROLE(OPERAND):
	// an operation reads the operand from that field (see fieldTemplates).
	configured map[string][]WrappedOp

	// found are interface methods whose implementations in the program
	// wrap KV, as Discover finds them for the kvlint command, which sees
	// the whole program: a call of one is a call of those wrappers.
	found map[*types.Func][]WrappedOp
	// foundIn are, for each of found's methods, the implementations that
	// gave each of its operations: a call through an instance of a
	// generic port, Store[string, ETA], reaches only those that fit it.
	foundIn map[*types.Func]map[*types.Func][]WrappedOp
	// fields are the lifetimes that operations in the program read from
	// fields of structs declared elsewhere, by field (see FieldUsesFact):
	// a package of options, kvport.WithTTL, learns here that the adapter
	// reads WriteOptions.TTL, though it does not import the adapter.
	fields map[string][]WrappedOp
	// funcFields are function-typed fields that the program fills with one
	// KV function, by field (see FuncFieldsFact).
	funcFields map[string]*types.Func
	// fieldFuncs are the operations of the wrappers stored in funcFields.
	fieldFuncs map[*types.Func][]WrappedOp
	// reportedVia are, for a found interface method, the analyzers that
	// reported inside one of its KV implementations.
	reportedVia map[*types.Func][]string
	// reportedRows are the same for the methods of the flag's entries,
	// by PKG.TYPE.METHOD: what the kvlint command printed for go vet.
	reportedRows map[string][]string
	// iterators are the interface methods whose implementations in the
	// program hand listed keys to their caller's callback or range body,
	// and whether every one of them also keeps a budget of its own (see
	// PortIterator).
	iterators map[*types.Func]bool
	// funcTypes are named function types whose values in the program are
	// KV wrappers, by type: an executor, type Exec func(ctx, Op)
	// (Result, error), that an adapter's method implements and
	// interceptors wrap. A call of such a value is a call of those
	// wrappers (see funcTypeOps).
	funcTypes map[string][]funcTypeOp
	// builders are the interface methods whose implementations build a
	// write or a read in steps (kv.Write(key) returning &WriteOp{key:
	// key}), as their BuiltFact says; nil for a method whose
	// implementations build it differently.
	builders map[*types.Func]*BuiltFact
}

// A funcTypeOp is an operation of fn, a wrapper whose values a named
// function type holds, or of the closure that fn, a factory, returns.
type funcTypeOp struct {
	op      WrappedOp
	fn      *types.Func
	factory bool
}

var roleByName = map[string]Role{"get": Get, "put": Put, "delete": Delete, "list": List,
	"bulkput": BulkPut, "bulkget": BulkGet, "bulkdelete": BulkDelete}

var operandByName = map[string]Operand{"namespace": Namespace, "key": Key, "value": Value,
	"ttl": TTL, "expiration": Expiration, "cachettl": CacheTTL, "metadata": Metadata,
	"limit": Limit, "prefix": Prefix, "cursor": Cursor, "pairs": Pairs, "keys": Keys}

func (c *Interfaces) String() string { return c.raw }

// Set parses the flag's value, replacing what was configured.
func (c *Interfaces) Set(s string) error {
	var rows []*Method
	configured := make(map[string][]WrappedOp)
	reported := make(map[string][]string)
	for _, entry := range strings.Split(s, ";") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		if id, w, ok, err := parseFieldEntry(entry); ok {
			if err != nil {
				return fmt.Errorf("field entry %q: %v", entry, err)
			}
			configured[id] = append(configured[id], w)
			continue
		}
		m, reportedBy, err := parseEntry(entry)
		if err != nil {
			return fmt.Errorf("interface entry %q: %v", entry, err)
		}
		rows = append(rows, m)
		for _, name := range reportedBy {
			if !slices.Contains(reported[m.entryName()], name) {
				reported[m.entryName()] = append(reported[m.entryName()], name)
			}
		}
	}
	c.raw, c.rows, c.configured, c.reportedRows = s, rows, configured, reported
	return nil
}

// parseFieldEntry parses PKG.TYPE.FIELD=ROLE(OPERAND), which says that an
// operation of role takes operand from the field: what the kvlint command
// found of a port's options or a config struct, for go vet (see Found).
// ok is false when entry is not one (its operand has an "=").
func parseFieldEntry(entry string) (id string, w WrappedOp, ok bool, err error) {
	id, spec, found := strings.Cut(entry, "=")
	roleName, operand, hasArgs := strings.Cut(strings.TrimSuffix(spec, ")"), "(")
	if !found || !hasArgs || strings.Contains(operand, "=") || strings.Count(id, ".") < 2 {
		return "", WrappedOp{}, false, nil
	}
	role, known := roleByName[strings.ToLower(strings.ReplaceAll(roleName, " ", ""))]
	if !known {
		return "", WrappedOp{}, true, fmt.Errorf("unknown role %q", roleName)
	}
	o, known := operandByName[strings.ToLower(strings.TrimSpace(operand))]
	if !known || !slices.Contains(fieldOperands, o) {
		return "", WrappedOp{}, true, fmt.Errorf("operand %q cannot be read from a field (want ttl, expiration, cachettl or limit)", operand)
	}
	slot := &Term{Op: TermParam, Index: fieldSlot}
	w = WrappedOp{Role: role, Method: "configured field", Operands: []OperandTerms{{Operand: o, Terms: []*Term{slot}}},
		// A zero or negative value is no option set.
		Conds: []Cond{{Term: &Term{Op: TermBinOp, Tok: token.GTR, Args: []*Term{slot, {Op: TermConst, Value: "0", Kind: constant.Int}}}, Want: true}}}
	return id, w, true, nil
}

// fieldTemplates returns the operations that read an operand from field
// (whose ID is id), as the kvlint command found them or the flag says.
func (c *Interfaces) fieldTemplates(id string, field *types.Var) []WrappedOp {
	if id == "" {
		return nil // a field of an unnamed struct: no ID another package could name
	}
	out := slices.Clone(c.fields[id])
	held := field.Type()
	if p, ok := held.Underlying().(*types.Pointer); ok {
		held = p.Elem() // an optional setting, TTL *time.Duration: the adapter reads *o.TTL
	}
	for _, w := range c.configured[id] {
		// A time.Duration in seconds and a time.Time in Unix seconds, as
		// the adapter found sends them.
		o := w.Operands[0].Operand
		w.Operands = []OperandTerms{{Operand: o, Terms: []*Term{inSentUnits(o, held, w.Operands[0].Terms[0])}}}
		out = append(out, w)
	}
	return out
}

// parseEntry parses PKG.TYPE.METHOD=ROLE(OPERAND=INDEX,...), and the
// analyzers that its reported=NAME arguments name: those that reported
// inside an implementation of the method, as the kvlint command found
// (see Found), and are not to report again at each call.
func parseEntry(entry string) (m *Method, reportedBy []string, err error) {
	name, spec, ok := strings.Cut(entry, "=")
	if !ok {
		return nil, nil, fmt.Errorf("want PKG.TYPE.METHOD=ROLE(OPERAND=INDEX,...)")
	}
	dot := strings.LastIndex(name, ".")
	typeDot := strings.LastIndex(name[:max(dot, 0)], ".")
	if dot < 0 || typeDot < 0 || strings.LastIndex(name[:typeDot], "/") > typeDot {
		return nil, nil, fmt.Errorf("want the method as PKG.TYPE.METHOD, such as example.com/store.Cache.Get")
	}
	m = &Method{Pkg: name[:typeDot], Recv: name[typeDot+1 : dot], Name: name[dot+1:], Operands: map[Operand]Arg{Namespace: recv}}
	roleName, args, ok := strings.Cut(strings.TrimSuffix(spec, ")"), "(")
	if !ok || !strings.HasSuffix(spec, ")") {
		return nil, nil, fmt.Errorf("want ROLE(OPERAND=INDEX,...) after '='")
	}
	if m.Role, ok = roleByName[strings.ToLower(strings.ReplaceAll(roleName, " ", ""))]; !ok {
		return nil, nil, fmt.Errorf("unknown role %q (want get, put, delete, list, bulkput, bulkget or bulkdelete)", roleName)
	}
	for _, a := range strings.Split(args, ",") {
		if a = strings.TrimSpace(a); a == "" {
			continue
		}
		oName, loc, ok := strings.Cut(a, "=")
		if strings.EqualFold(oName, "reported") && ok && loc != "" {
			reportedBy = append(reportedBy, loc)
			continue
		}
		o, known := operandByName[strings.ToLower(oName)]
		if !ok || !known {
			return nil, nil, fmt.Errorf("unknown operand %q (want key, value, ttl, expiration, cachettl, namespace, metadata, limit, prefix or cursor)", oName)
		}
		index, field, _ := strings.Cut(loc, ".")
		i, err := strconv.Atoi(index)
		if err != nil || i < 0 {
			return nil, nil, fmt.Errorf("operand %s: want a parameter index, got %q", oName, loc)
		}
		if _, dup := m.Operands[o]; dup && o != Namespace {
			return nil, nil, fmt.Errorf("operand %s is given twice", oName)
		}
		m.Operands[o] = Arg{Index: i, Field: field}
	}
	return m, reportedBy, nil
}

// Packages returns the import paths of the configured interfaces.
func (c *Interfaces) Packages() []string {
	var paths []string
	for _, m := range c.rows {
		if !slices.Contains(paths, m.Pkg) {
			paths = append(paths, m.Pkg)
		}
	}
	return paths
}

// lookup returns the configured row for the interface method fn.
func (c *Interfaces) lookup(fn *types.Func) *Method {
	recv := fn.Signature().Recv()
	if recv == nil || fn.Pkg() == nil {
		return nil
	}
	named, ok := types.Unalias(recv.Type()).(*types.Named)
	if !ok {
		return nil
	}
	for _, m := range c.rows {
		if m.Name == fn.Name() && m.Recv == named.Obj().Name() && m.Pkg == named.Obj().Pkg().Path() {
			if m.fits(fn) != nil {
				return nil // reported where the interface is declared, see check
			}
			return m
		}
	}
	return nil
}

// check reports the first entry for an interface declared in pkg that
// does not fit it: a type or method that does not exist, a parameter out
// of range, a field the parameter lacks, or an operand of the wrong type.
// Such an entry would otherwise match nothing and say nothing.
func (c *Interfaces) check(pkg *types.Package) error {
	for _, m := range c.rows {
		if m.Pkg != pkg.Path() {
			continue
		}
		tn, _ := pkg.Scope().Lookup(m.Recv).(*types.TypeName)
		if tn == nil {
			return fmt.Errorf("-kvapi.interfaces: package %s declares no type %s", m.Pkg, m.Recv)
		}
		fn, _, _ := types.LookupFieldOrMethod(tn.Type(), true, pkg, m.Name)
		method, _ := fn.(*types.Func)
		if method == nil {
			return fmt.Errorf("-kvapi.interfaces: %s.%s has no method %s", m.Pkg, m.Recv, m.Name)
		}
		if err := m.fits(method); err != nil {
			return fmt.Errorf("-kvapi.interfaces: %s.%s.%s: %v", m.Pkg, m.Recv, m.Name, err)
		}
	}
	return nil
}

// fits reports why m's operands cannot be read from fn's parameters.
func (m *Method) fits(fn *types.Func) error {
	params := fn.Signature().Params()
	for _, o := range slices.Sorted(maps.Keys(m.Operands)) {
		a := m.Operands[o]
		if a.Index == Receiver {
			continue
		}
		if a.Index >= params.Len() {
			return fmt.Errorf("%s=%d, but the method has %d parameters (counted from 0)", operandFlagName(o), a.Index, params.Len())
		}
		t := params.At(a.Index).Type()
		if a.Field != "" {
			f, _, _ := types.LookupFieldOrMethod(t, true, fn.Pkg(), a.Field)
			v, ok := f.(*types.Var)
			if !ok {
				return fmt.Errorf("%s=%d.%s, but parameter %d (%s) has no field %s", operandFlagName(o), a.Index, a.Field, a.Index, t, a.Field)
			}
			t = v.Type()
		}
		if want := operandKind(o); want != "" && !hasKind(t, want) && !(o == Expiration && IsTime(t)) && !(o == Key && isStringer(t)) {
			return fmt.Errorf("%s is parameter %d%s of type %s, not a %s", operandFlagName(o), a.Index, fieldSuffix(a.Field), t, want)
		}
	}
	return nil
}

// isStringer reports whether t has a String() string method: a key given
// as a fmt.Stringer, or as a struct that builds its own text.
func isStringer(t types.Type) bool {
	if _, basic := t.Underlying().(*types.Basic); basic {
		return false // a time.Duration prints itself, but is no key
	}
	obj, _, _ := types.LookupFieldOrMethod(t, true, nil, "String")
	fn, ok := obj.(*types.Func)
	if !ok {
		return false
	}
	sig := fn.Signature()
	return sig.Params().Len() == 0 && sig.Results().Len() == 1 && hasKind(sig.Results().At(0).Type(), "string")
}

// operandKind is what an operand's type must be, by its underlying type,
// or "" when any type will do (values, metadata, namespaces, pairs).
func operandKind(o Operand) string {
	switch o {
	case Key, Prefix, Cursor:
		return "string"
	case TTL, Expiration, CacheTTL, Limit:
		return "number"
	}
	return ""
}

// hasKind reports whether t, or what it points to, is a string or a
// number by its underlying type.
func hasKind(t types.Type, kind string) bool {
	if p, ok := t.Underlying().(*types.Pointer); ok {
		t = p.Elem()
	}
	if tp, ok := types.Unalias(t).(*types.TypeParam); ok {
		return constrainedTo(tp, kind) // K ~string in a generic port
	}
	b, ok := t.Underlying().(*types.Basic)
	if !ok {
		return false
	}
	if kind == "string" {
		return b.Info()&types.IsString != 0
	}
	return b.Info()&types.IsNumeric != 0
}

// constrainedTo reports whether every type in tp's type set is a string
// or a number, as kind says: the only terms of its constraint are such.
func constrainedTo(tp *types.TypeParam, kind string) bool {
	iface, ok := tp.Constraint().Underlying().(*types.Interface)
	if !ok || iface.NumEmbeddeds() == 0 {
		return false
	}
	for t := range iface.EmbeddedTypes() {
		union, ok := t.(*types.Union)
		if !ok {
			if !hasKind(t, kind) {
				return false
			}
			continue
		}
		for term := range union.Terms() {
			if !hasKind(term.Type(), kind) {
				return false
			}
		}
	}
	return true
}

func fieldSuffix(field string) string {
	if field == "" {
		return ""
	}
	return "." + field
}

// joinKeys returns the keys of a and b.
func joinKeys(a, b map[string][]WrappedOp) map[string]bool {
	keys := make(map[string]bool)
	for k := range a {
		keys[k] = true
	}
	for k := range b {
		keys[k] = true
	}
	return keys
}

// imports reports whether the package pkg, or one it imports, declares a
// configured or found interface.
func (c *Interfaces) imports(pkg *types.Package) bool {
	for id := range joinKeys(c.fields, c.configured) {
		if strings.HasPrefix(id, pkg.Path()+".") && !strings.Contains(id[len(pkg.Path())+1:], "/") {
			return true // it declares a field that an operation reads
		}
	}
	for id := range c.funcFields {
		for _, p := range append([]*types.Package{pkg}, pkg.Imports()...) {
			if strings.HasPrefix(id, p.Path()+".") && !strings.Contains(id[len(p.Path())+1:], "/") {
				return true // it declares, or uses, a function-typed field wired to KV
			}
		}
	}
	for m := range c.found {
		if m.Pkg() == pkg || slices.Contains(pkg.Imports(), m.Pkg()) {
			return true
		}
	}
	for key := range c.funcTypes {
		for _, p := range append([]*types.Package{pkg}, pkg.Imports()...) {
			if strings.HasPrefix(key, p.Path()+".") && !strings.Contains(key[len(p.Path())+1:], "/") {
				return true // it declares, or calls, an executor of KV operations
			}
		}
	}
	for _, m := range c.rows {
		if pkg.Path() == m.Pkg {
			return true
		}
		for _, imp := range pkg.Imports() {
			if imp.Path() == m.Pkg {
				return true
			}
		}
	}
	return false
}
