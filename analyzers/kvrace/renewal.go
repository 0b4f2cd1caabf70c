package kvrace

// A renewal by the owner: a get whose record must already belong to this
// request, or the function refuses, then a put of a fresh record that
// names the same owner and copies the rest of the old one unchanged:
//
//	cur, held, err := m.Current(ctx, project, env)
//	if !held || cur.Holder != holder {
//		return ErrForbidden
//	}
//	return m.locks.Put(ctx, key, Lock{Holder: holder, AcquiredAt: cur.AcquiredAt, ExpiresAt: until})
//
// Only the owner passes the check, and what it writes adds nothing to
// what it read, so no other writer's change can be lost: a lease extended
// by its holder. A record changed from what was read (items appended, a
// count raised) is still a read-modify-write, owner or not.

import (
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ssa"

	"github.com/kvlint/kvlint/analyzers/kvapi"
)

// ownerRenewal reports whether put rewrites, for its owner only, the
// record that get read.
func ownerRenewal(model *kvapi.Result, put, get *kvapi.Op) bool {
	fn := put.Call.Parent()
	reads := get.Results()
	if get.Call.Parent() != fn || len(reads) == 0 {
		return false
	}
	field, owner := ownerGuard(model, fn, reads, put.Call.Block())
	if owner == nil {
		return false
	}
	for _, src := range put.Sources(kvapi.Value) {
		for _, in := range src.Inputs() {
			rec := writtenRecord(in)
			if rec == nil || !namesOwner(rec, field, owner) || changesRead(model, rec, put, reads) {
				return false
			}
		}
	}
	return true
}

// ownerGuard returns the field of the record read that fn compares with
// one of its parameters, refusing where they differ, on every way to
// block: cur.Holder != holder { return ErrForbidden }.
func ownerGuard(model *kvapi.Result, fn *ssa.Function, reads []ssa.Value, block *ssa.BasicBlock) (string, *ssa.Parameter) {
	for _, b := range fn.Blocks {
		br, ok := b.Instrs[len(b.Instrs)-1].(*ssa.If)
		if !ok {
			continue
		}
		cmp, ok := br.Cond.(*ssa.BinOp)
		if !ok || cmp.Op != token.EQL && cmp.Op != token.NEQ {
			continue
		}
		for _, side := range [][2]ssa.Value{{cmp.X, cmp.Y}, {cmp.Y, cmp.X}} {
			name, ok := readField(side[0])
			param, isParam := side[1].(*ssa.Parameter)
			if !ok || !isParam || !model.DependsOn(side[0], br, reads) || fn.Signature.Recv() != nil && param == fn.Params[0] {
				continue
			}
			same, differ := b.Succs[0], b.Succs[1]
			if cmp.Op == token.NEQ {
				same, differ = differ, same
			}
			if kvapi.Refuses(differ) && same.Dominates(block) {
				return name, param
			}
		}
	}
	return "", nil
}

// readField returns the name of the field that v loads: cur.Holder.
func readField(v ssa.Value) (string, bool) {
	switch v := v.(type) {
	case *ssa.Field:
		return v.X.Type().Underlying().(*types.Struct).Field(v.Field).Name(), true
	case *ssa.UnOp:
		if fa, ok := v.X.(*ssa.FieldAddr); ok && v.Op == token.MUL && kvapi.FieldOf(fa) != nil {
			return kvapi.FieldOf(fa).Name(), true
		}
	}
	return "", false
}

// writtenRecord returns the struct variable whose value in is: the
// literal built for the put.
func writtenRecord(in ssa.Value) *ssa.Alloc {
	for range 6 {
		switch v := in.(type) {
		case *ssa.MakeInterface:
			in = v.X
			continue
		case *ssa.Convert:
			in = v.X // string(b)
			continue
		case *ssa.Extract:
			// The encoding of the record: json.Marshal(next).
			if call, ok := v.Tuple.(*ssa.Call); ok && v.Index == 0 && len(call.Call.Args) > 0 {
				if name := kvapi.CalleeName(call); name == "encoding/json.Marshal" || name == "encoding/json.MarshalIndent" {
					in = call.Call.Args[0]
					continue
				}
			}
		case *ssa.UnOp:
			if alloc, ok := v.X.(*ssa.Alloc); ok && v.Op == token.MUL {
				return alloc
			}
		case *ssa.Alloc:
			return v
		}
		return nil
	}
	return nil
}

// namesOwner reports whether rec's field is set to owner.
func namesOwner(rec *ssa.Alloc, field string, owner *ssa.Parameter) bool {
	for _, ref := range *rec.Referrers() {
		fa, ok := ref.(*ssa.FieldAddr)
		if !ok || kvapi.FieldOf(fa) == nil || kvapi.FieldOf(fa).Name() != field {
			continue
		}
		for _, use := range *fa.Referrers() {
			if st, ok := use.(*ssa.Store); ok && st.Addr == fa && st.Val == owner {
				return true
			}
		}
	}
	return false
}

// changesRead reports whether a field of rec is set to something computed
// from what was read and changed on the way.
func changesRead(model *kvapi.Result, rec *ssa.Alloc, put *kvapi.Op, reads []ssa.Value) bool {
	for _, ref := range *rec.Referrers() {
		fa, ok := ref.(*ssa.FieldAddr)
		if !ok {
			continue
		}
		for _, use := range *fa.Referrers() {
			st, ok := use.(*ssa.Store)
			if !ok || st.Addr != fa {
				continue
			}
			if _, copied := readField(st.Val); !copied && model.ChangedFrom(st.Val, put.Call, reads) {
				return true // a field of the old record copied as it is changes nothing
			}
		}
	}
	return false
}
