package kvapi

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"slices"
	"strings"

	"golang.org/x/tools/go/ssa"
)

// Tables: an operand read from a package-level table by a key known only
// at run time, as table-driven code does:
//
//	var ticketTTL = [...]time.Duration{Casual: 10 * time.Minute, Quick: 40 * time.Second}
//	store.Put(ctx, k, v, store.WithTTL(ticketTTL[t.Queue]))
//
// may be any of the table's entries. An entry that breaks a rule is
// reported where it is written, in the table.

// A tableEntry is one constant entry of a table and where it is written.
type tableEntry struct {
	value ssa.Value
	expr  ast.Expr
	pos   token.Pos
}

// TableSources returns, for a source that reads a table (its value, or an
// argument of its wrapper's Term), one Source per entry of the table, at
// the entry; nil when the source reads no table.
func (r *Result) TableSources(src Source) []Source {
	var out []Source
	if src.Value != nil {
		for _, e := range r.tableEntries(src.Value) {
			out = append(out, Source{Value: e.value, Expr: e.expr, Pos: e.pos, Duration: src.Duration, Explicit: true})
		}
		return out
	}
	for i, a := range src.Args {
		entries := r.tableEntries(a)
		for _, e := range entries {
			args := slices.Clone(src.Args)
			args[i] = e.value
			out = append(out, Source{Term: src.Term, Args: args, Conds: src.Conds, Expr: e.expr, Pos: e.pos, Duration: src.Duration, Explicit: true})
		}
		if len(entries) > 0 {
			return out
		}
	}
	return nil
}

// tableEntries returns the entries of the table that v reads by a
// non-constant key: an element of a package-level array, or of a map,
// filled with constants where it is declared and written nowhere else.
func (r *Result) tableEntries(v ssa.Value) []tableEntry {
	switch v := v.(type) {
	case *ssa.UnOp: // kindTTL[k]
		addr, ok := v.X.(*ssa.IndexAddr)
		if !ok || v.Op != token.MUL {
			return nil
		}
		table, ok := addr.X.(*ssa.Global)
		if _, fixed := addr.Index.(*ssa.Const); !ok || fixed {
			return nil
		}
		// The literal is built in place, or in a local array copied in.
		arrays := []ssa.Value{table}
		for _, user := range r.users(table) {
			if store, ok := user.(*ssa.Store); ok && store.Addr == table {
				load, isLoad := store.Val.(*ssa.UnOp)
				if !isLoad || !inInit(store) {
					return nil
				}
				arrays = append(arrays, load.X)
			}
		}
		var entries []tableEntry
		users := r.users(table)
		if len(arrays) > 1 {
			users = slices.Concat(users, r.users(arrays[1]))
		}
		for _, user := range users {
			elem, ok := user.(*ssa.IndexAddr)
			if !ok || !slices.Contains(arrays, elem.X) {
				continue
			}
			for _, ref := range *elem.Referrers() {
				store, ok := ref.(*ssa.Store)
				if !ok || store.Addr != elem {
					continue
				}
				c, isConst := store.Val.(*ssa.Const)
				if !isConst || !inInit(store) {
					return nil // written at run time: not a table
				}
				entries = append(entries, tableEntry{value: c, expr: r.storedExpr(store), pos: store.Pos()})
			}
		}
		return entries
	case *ssa.Lookup: // ticketTTL[q] in a map
		load, ok := v.X.(*ssa.UnOp)
		if !ok || load.Op != token.MUL {
			return nil
		}
		table, ok := load.X.(*ssa.Global)
		if _, fixed := v.Index.(*ssa.Const); !ok || fixed {
			return nil
		}
		updates, ok := r.mapEntries(table)
		if !ok {
			return nil
		}
		var entries []tableEntry
		for _, update := range updates {
			c, isConst := update.Value.(*ssa.Const)
			if !isConst {
				return nil
			}
			var expr ast.Expr
			for _, n := range r.Path(update.Pos()) {
				if kv, ok := n.(*ast.KeyValueExpr); ok {
					expr = kv.Value
					break
				}
			}
			entries = append(entries, tableEntry{value: c, expr: expr, pos: update.Pos()})
		}
		return entries
	}
	return nil
}

// inInit reports whether instr is in a package's initialisation, where a
// package-level variable's declared value is stored.
func inInit(instr ssa.Instruction) bool {
	fn := instr.Parent()
	return fn.Name() == "init" && fn.Signature.Recv() == nil && fn.Parent() == nil
}

// RangedEntries returns, for a field of an element of a slice or array
// literal that the function walks by an index known only at run time
// (rt.cache in "for _, rt := range routes"), the stores of that field in
// each element of the literal; nil when v is no such read, or when the
// literal is written after it is made.
//
//	routes := []struct{ pattern string; cache time.Duration }{
//		{"GET /v1/status", 20 * time.Second},
//	}
func RangedEntries(v ssa.Value) []*ssa.Store {
	elem, field := rangedField(v)
	if elem == nil {
		return nil
	}
	array := elem.X
	if sl, ok := array.(*ssa.Slice); ok {
		array = sl.X
	}
	alloc, ok := array.(*ssa.Alloc)
	if !ok || alloc.Parent() != v.Parent() {
		return nil
	}
	var stores []*ssa.Store
	for _, ref := range *alloc.Referrers() {
		switch ref := ref.(type) {
		case *ssa.Slice, *ssa.DebugRef:
		case *ssa.IndexAddr:
			if _, fixed := ref.Index.(*ssa.Const); !fixed {
				return nil // written or read at run time here: not a literal only
			}
			for _, use := range *ref.Referrers() {
				switch use := use.(type) {
				case *ssa.FieldAddr: // routes[0].cache = 20 * time.Second
					if use.Field == field {
						stores = append(stores, storesTo(use)...)
					}
				case *ssa.Store: // routes[0] = struct{...}{...}, a literal made aside
					if load, ok := use.Val.(*ssa.UnOp); ok && load.Op == token.MUL && use.Addr == ref {
						if lit, ok := load.X.(*ssa.Alloc); ok {
							for _, u := range *lit.Referrers() {
								if fa, ok := u.(*ssa.FieldAddr); ok && fa.Field == field {
									stores = append(stores, storesTo(fa)...)
								}
							}
						}
					}
				}
			}
		default:
			return nil
		}
	}
	return stores
}

// rangedField returns the element read by a run-time index that v is a
// field of, and which field: rt.cache of rt := routes[i], loaded whole or
// kept in a variable of its own.
func rangedField(v ssa.Value) (*ssa.IndexAddr, int) {
	var x ssa.Value
	field := -1
	switch v := v.(type) {
	case *ssa.Field:
		x, field = v.X, v.Field
	case *ssa.UnOp:
		fa, ok := v.X.(*ssa.FieldAddr)
		if !ok || v.Op != token.MUL {
			return nil, -1
		}
		x, field = fa.X, fa.Field
		if alloc, ok := x.(*ssa.Alloc); ok {
			// rt kept in a variable: what its one store put there.
			stored := storesTo(alloc)
			if len(stored) != 1 {
				return nil, -1
			}
			x = stored[0].Val
		}
	default:
		return nil, -1
	}
	load, ok := x.(*ssa.UnOp)
	if !ok || load.Op != token.MUL {
		return nil, -1
	}
	elem, ok := load.X.(*ssa.IndexAddr)
	if !ok {
		return nil, -1
	}
	if _, fixed := elem.Index.(*ssa.Const); fixed {
		return nil, -1
	}
	return elem, field
}

// storesTo returns the stores to addr.
// setOnce returns the one value stored into the variable alloc, its
// store into itself aside (a named result is so stored as it is
// returned); nil when it is set more than once, or never.
func setOnce(alloc *ssa.Alloc) ssa.Value {
	stores := slices.DeleteFunc(storesTo(alloc), func(st *ssa.Store) bool {
		load, ok := st.Val.(*ssa.UnOp)
		return ok && load.Op == token.MUL && load.X == alloc
	})
	if len(stores) != 1 {
		return nil
	}
	return stores[0].Val
}

func storesTo(addr ssa.Value) []*ssa.Store {
	var out []*ssa.Store
	for _, ref := range *addr.Referrers() {
		if st, ok := ref.(*ssa.Store); ok && st.Addr == addr {
			out = append(out, st)
		}
	}
	return out
}

// Tables of other packages. A config package often keeps lifetimes in a
// map by name, var TTLs = map[string]time.Duration{"banner": 45 *
// time.Second}, which other packages read by a constant name:
// config.TTLs["banner"]. A tableFact carries the map's entries, each
// folded to a constant (mustDuration("45s") included), so that such a
// read is that entry's value.

// A tableFact lists the entries of a package-level map that only the
// package initializer fills, with constant keys and values.
type tableFact struct {
	Entries []TableEntry
}

// A TableEntry is one key and value, as constant.Value.ExactString
// gives them.
type TableEntry struct {
	Key, Value string
}

func (*tableFact) AFact() {}

func (f *tableFact) String() string {
	var entries []string
	for _, e := range f.Entries {
		entries = append(entries, e.Key+": "+e.Value)
	}
	return "kv table: " + strings.Join(entries, ", ")
}

// exportTables exports a tableFact for each exported package-level map
// of numbers that the initializer fills with constants.
func (r *Result) exportTables() {
	for _, m := range r.pkg.Members {
		g, ok := m.(*ssa.Global)
		if !ok || g.Object() == nil || !g.Object().Exported() || !numericMap(g.Type()) {
			continue
		}
		entries, ok := r.mapEntries(g)
		if !ok || len(entries) == 0 {
			continue
		}
		var fact tableFact
		e := &evaluator{model: r}
		for _, u := range entries {
			k, isConst := u.Key.(*ssa.Const)
			vals := e.values(u.Value, nil, 0)
			if !isConst || k.Value == nil || len(vals) != 1 {
				fact.Entries = nil
				break
			}
			fact.Entries = append(fact.Entries, TableEntry{Key: k.Value.ExactString(), Value: vals[0].ExactString()})
		}
		if len(fact.Entries) > 0 {
			r.pass.ExportObjectFact(g.Object(), &fact)
		}
	}
}

// numericMap reports whether t, a global's pointer type, points to a map
// of numbers (time.Duration among them).
func numericMap(t types.Type) bool {
	ptr, ok := t.(*types.Pointer)
	if !ok {
		return false
	}
	m, ok := ptr.Elem().Underlying().(*types.Map)
	return ok && basic(m.Elem(), types.IsInteger|types.IsFloat)
}

// mapEntries returns the updates that fill the map stored in g, when the
// package initializer stores it, once, and nothing else writes it here.
func (r *Result) mapEntries(g *ssa.Global) ([]*ssa.MapUpdate, bool) {
	var made *ssa.MakeMap
	for _, user := range r.users(g) {
		if store, ok := user.(*ssa.Store); ok && store.Addr == g {
			m, isMap := store.Val.(*ssa.MakeMap)
			if !isMap || made != nil || !inInit(store) {
				return nil, false
			}
			made = m
		}
	}
	if made == nil {
		return nil, false
	}
	var updates []*ssa.MapUpdate
	for _, ref := range *made.Referrers() {
		if u, ok := ref.(*ssa.MapUpdate); ok {
			updates = append(updates, u)
		}
	}
	return updates, true
}

// tableValue returns the value of an entry of another package's table,
// read by a constant key: config.TTLs["banner"].
func (r *Result) tableValue(lookup *ssa.Lookup) []constant.Value {
	load, ok := lookup.X.(*ssa.UnOp)
	if !ok || load.Op != token.MUL {
		return nil
	}
	g, ok := load.X.(*ssa.Global)
	key, fixed := lookup.Index.(*ssa.Const)
	if !ok || !fixed || key.Value == nil || g.Pkg == r.pkg || g.Object() == nil {
		return nil
	}
	fact := new(tableFact)
	if !r.pass.ImportObjectFact(g.Object(), fact) {
		return nil
	}
	for _, e := range fact.Entries {
		if e.Key == key.Value.ExactString() {
			if v := parseExact(e.Value); v != nil {
				return []constant.Value{v}
			}
		}
	}
	return nil
}

// parseExact reads back what constant.Value.ExactString wrote for a
// number: an integer, or a fraction a/b.
func parseExact(s string) constant.Value {
	if num, den, ok := strings.Cut(s, "/"); ok {
		n, d := constant.MakeFromLiteral(num, token.INT, 0), constant.MakeFromLiteral(den, token.INT, 0)
		if n.Kind() == constant.Unknown || d.Kind() == constant.Unknown {
			return nil
		}
		return constant.BinaryOp(n, token.QUO, d)
	}
	for _, tok := range []token.Token{token.INT, token.FLOAT} {
		if v := constant.MakeFromLiteral(s, tok, 0); v.Kind() != constant.Unknown {
			return v
		}
	}
	return nil
}

// tableFuncs returns the functions that fn, a function value read from a
// package-level table of functions by an index or key known only at run
// time, may be: keyOf of "for _, keyOf := range signOutKeys" over
// []func(Keys, string) string{Keys.Session, Keys.CSRF}, or of keyOf, ok
// := purgeable[kind]. A method expression is the method it calls.
func (r *Result) tableFuncs(fn ssa.Value) []*ssa.Function {
	var elems []ssa.Value
	if x, ok := fn.(*ssa.Extract); ok && x.Index == 0 {
		if lookup, ok := x.Tuple.(*ssa.Lookup); ok {
			fn = lookup // keyOf, ok := table[kind]
		}
	}
	switch v := fn.(type) {
	case *ssa.UnOp: // *&table[i]
		elem, ok := v.X.(*ssa.IndexAddr)
		if !ok || v.Op != token.MUL {
			return nil
		}
		if _, fixed := elem.Index.(*ssa.Const); fixed {
			return nil
		}
		g := loadedGlobal(elem.X)
		if g == nil {
			return nil
		}
		s, ok := r.initialValue(g).(*ssa.Slice)
		if !ok {
			return nil
		}
		if elems, ok = arrayLiteral(s); !ok {
			return nil
		}
	case *ssa.Lookup:
		g := loadedGlobal(v.X)
		if g == nil {
			return nil
		}
		updates, ok := r.mapEntries(g)
		if !ok {
			return nil
		}
		for _, u := range updates {
			elems = append(elems, u.Value)
		}
	default:
		return nil
	}
	var out []*ssa.Function
	for _, e := range elems {
		f, ok := e.(*ssa.Function)
		if !ok {
			return nil
		}
		if inner := thunkOf(f); inner != nil {
			f = inner
		}
		out = append(out, f)
	}
	return out
}

// thunkOf returns the method that f, the thunk of a method expression
// (Keys.Session), calls; nil for any other function.
func thunkOf(f *ssa.Function) *ssa.Function {
	if !strings.HasPrefix(f.Synthetic, "thunk") {
		return nil
	}
	for _, b := range f.Blocks {
		for _, instr := range b.Instrs {
			if call, ok := instr.(ssa.CallInstruction); ok {
				if callee := call.Common().StaticCallee(); callee != nil {
					return callee
				}
			}
		}
	}
	return nil
}
