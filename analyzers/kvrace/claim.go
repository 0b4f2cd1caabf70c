package kvrace

// Check-then-create: a get whose only use is to refuse when the key is
// already there, then a put of this request's own value to that key:
//
//	if _, err := store.Get(ctx, "slug:"+slug); err == nil {
//		return ErrTaken
//	}
//	return store.Set(ctx, "slug:"+slug, mine)
//
// Two requests both see the key free and both write; the last write wins,
// and the first believes it owns a name it lost. A read-through cache
// differs in what the get is for: its value is used, so it is no claim.

import (
	"go/constant"
	"go/token"

	"golang.org/x/tools/go/ssa"

	"github.com/kvlint/kvlint/analyzers/kvapi"
)

// claimOf returns the get of the put's key that only checked the key was
// free, on the path to the put, or nil.
func claimOf(model *kvapi.Result, put *kvapi.Op) *kvapi.Op {
	for _, get := range model.GetsOf(put) {
		if get.Call.Parent() != put.Call.Parent() ||
			get.Wrapped != nil && len(get.Wrapped.Out) > 0 { // decoded into a variable: used
			continue
		}
		call, ok := get.Call.(*ssa.Call)
		if !ok {
			continue
		}
		missing, byFlag := missingOnlyPath(call, put.Call.Block())
		// A found flag that refuses, then a marker or a value written
		// with a lifetime, is a cooldown ("resent recently"), not a claim.
		if missing && !(byFlag && (expires(model, put) || marker(model, put))) {
			return get
		}
	}
	return nil
}

// expires reports whether put gives its key a known lifetime.
func expires(model *kvapi.Result, put *kvapi.Op) bool {
	for _, o := range []kvapi.Operand{kvapi.TTL, kvapi.Expiration} {
		for _, src := range put.Sources(o) {
			vals, _ := model.EvalSource(src, nil)
			for _, v := range vals {
				if constant.Sign(v) != 0 {
					return true
				}
			}
		}
	}
	return false
}

// marker reports whether put writes a constant or the time, which marks
// that something happened rather than who owns the key.
func marker(model *kvapi.Result, put *kvapi.Op) bool {
	srcs := put.Sources(kvapi.Value)
	for _, src := range srcs {
		if vals, free := model.EvalSource(src, nil); len(vals) > 0 && len(free) == 0 {
			continue
		}
		for _, in := range src.Inputs() {
			if model.Backward(in, put.Call, func(s kvapi.Step) bool {
				switch v := s.Value.(type) {
				case *ssa.Parameter, *ssa.FreeVar, *ssa.UnOp:
					return true
				case *ssa.Call:
					callee := v.Call.StaticCallee()
					return callee == nil || callee.Pkg == nil || callee.Pkg.Pkg.Path() != "time"
				}
				return false
			}) {
				return false
			}
		}
	}
	return len(srcs) > 0
}

// missingOnlyPath reports whether the results of the get call are used
// only to test whether the key was there, and block runs only where the
// test said it was not; byFlag, whether a found flag said so.
func missingOnlyPath(call *ssa.Call, block *ssa.BasicBlock) (missing, byFlag bool) {
	var results []ssa.Value
	if call.Call.Signature().Results().Len() == 1 {
		results = []ssa.Value{call}
	} else {
		for _, ref := range *call.Referrers() {
			if ext, ok := ref.(*ssa.Extract); ok {
				results = append(results, ext)
			}
		}
	}
	for _, res := range results {
		for _, ref := range nonDebugReferrers(res) {
			edge, ok := presenceTest(ref, res)
			if !ok {
				if kvapi.IsError(res.Type()) {
					continue // returning or wrapping the error uses no value
				}
				return false, false // the value is used: not a mere check
			}
			// Only an error or a found flag says "missing" plainly
			// enough: a value compared with "" may be a dedupe marker's,
			// written once per event, which is no claim of a shared name.
			// A claim refuses when the key is taken; code that goes on as
			// if done when it is there (seeding a default) claims nothing.
			if edge != nil && (kvapi.IsError(res.Type()) || kvapi.IsBool(res.Type())) && edge.Dominates(block) && len(edge.Preds) == 1 &&
				kvapi.Refuses(presentBranch(edge)) {
				missing = true
				byFlag = byFlag || kvapi.IsBool(res.Type())
			}
		}
	}
	return missing, byFlag
}

// presentBranch returns the other way out of the test whose missing-key
// branch is missing: the block taken when the key was there.
func presentBranch(missing *ssa.BasicBlock) *ssa.BasicBlock {
	test := missing.Preds[0]
	for _, succ := range test.Succs {
		if succ != missing {
			return succ
		}
	}
	return nil
}

// presenceTest reads instr, a use of a get's result res, as a test of
// whether the key was there, and returns the successor block its branch
// takes when the key was missing (nil when the test is not a branch,
// as in the second half of "err != nil && !IsNotFound(err)").
func presenceTest(instr ssa.Instruction, res ssa.Value) (*ssa.BasicBlock, bool) {
	var cond ssa.Value
	missingWhenTrue := false
	switch instr := instr.(type) {
	case *ssa.BinOp:
		if instr.Op != token.EQL && instr.Op != token.NEQ || !isZero(kvapi.OtherOperand(instr, res)) {
			return nil, false
		}
		// err == nil and v == "" say "there" and "missing" respectively.
		missingWhenTrue = (instr.Op == token.EQL) != kvapi.IsError(res.Type())
		cond = instr
	case *ssa.Call:
		// IsNotFound(err), errors.Is(err, ErrNotFound): true when missing.
		if !kvapi.IsError(res.Type()) || instr.Call.Signature().Results().Len() != 1 {
			return nil, false
		}
		missingWhenTrue, cond = true, instr
	case *ssa.If:
		// A found flag: if found { return ErrTaken }.
		if !kvapi.IsBool(res.Type()) {
			return nil, false
		}
		return instr.Block().Succs[1], true
	case *ssa.UnOp:
		if instr.Op != token.NOT || !kvapi.IsBool(res.Type()) {
			return nil, false
		}
		missingWhenTrue, cond = true, instr
	default:
		return nil, false
	}
	for {
		uses := nonDebugReferrers(cond)
		if len(uses) != 1 {
			return nil, true
		}
		switch use := uses[0].(type) {
		case *ssa.UnOp:
			if use.Op != token.NOT {
				return nil, true
			}
			missingWhenTrue, cond = !missingWhenTrue, use
			continue
		case *ssa.If:
			if missingWhenTrue {
				return use.Block().Succs[0], true
			}
			return use.Block().Succs[1], true
		}
		return nil, true
	}
}

func nonDebugReferrers(v ssa.Value) []ssa.Instruction {
	var uses []ssa.Instruction
	if refs := v.Referrers(); refs != nil {
		for _, ref := range *refs {
			if _, ok := ref.(*ssa.DebugRef); !ok {
				uses = append(uses, ref)
			}
		}
	}
	return uses
}

// isZero reports whether v is nil, "" or the string syumai/workers returns
// for a missing key.
func isZero(v ssa.Value) bool {
	c, ok := v.(*ssa.Const)
	if !ok {
		return false
	}
	if c.Value == nil {
		return true
	}
	if c.Value.Kind() == constant.String {
		s := constant.StringVal(c.Value)
		return s == "" || s == "<null>"
	}
	return false
}
