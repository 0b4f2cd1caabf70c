package kvapi

import (
	"go/ast"
	"go/token"
	"slices"

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
		var made *ssa.MakeMap
		for _, user := range r.users(table) {
			if store, ok := user.(*ssa.Store); ok && store.Addr == table {
				m, isMap := store.Val.(*ssa.MakeMap)
				if !isMap || made != nil || !inInit(store) {
					return nil
				}
				made = m
			}
		}
		if made == nil {
			return nil
		}
		var entries []tableEntry
		for _, ref := range *made.Referrers() {
			update, ok := ref.(*ssa.MapUpdate)
			if !ok {
				continue
			}
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
