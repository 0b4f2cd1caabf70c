package kvapi

// What a branch does: turn the caller away, as a claim refused because the
// key is taken or a value that failed to parse does.

import (
	"go/constant"
	"go/token"
	"slices"

	"golang.org/x/tools/go/ssa"
)

// Refuses reports whether the path from block turns the caller away: it
// returns an error or false, answers with an HTTP error status, hands an
// error to a helper and returns nothing (writeError(w, errTaken); return),
// or panics: a claim refused because the key is taken, a value that
// failed to parse answered with a 500.
func Refuses(block *ssa.BasicBlock) bool {
	gaveError := false
	for steps := 0; block != nil && steps < 8; steps++ {
		for _, instr := range block.Instrs {
			switch instr := instr.(type) {
			case *ssa.Return:
				if len(instr.Results) == 0 {
					return gaveError
				}
				for _, r := range instr.Results {
					if IsError(r.Type()) && !IsNil(r) && !closed(r) || IsBool(r.Type()) && isFalse(r) {
						return true
					}
				}
				return false
			case *ssa.Panic:
				return true
			case ssa.CallInstruction:
				if errorStatus(instr.Common()) {
					return true
				}
				gaveError = gaveError || givesError(instr.Common())
			}
		}
		if len(block.Succs) != 1 {
			return false
		}
		block = block.Succs[0]
	}
	return false
}

// errorStatus reports whether the call is given an HTTP error status, as
// http.Error(w, msg, http.StatusConflict) or c.JSON(409, body) are.
func errorStatus(c *ssa.CallCommon) bool {
	for _, a := range c.Args {
		if k, ok := a.(*ssa.Const); ok && k.Value != nil && k.Value.Kind() == constant.Int {
			if n, exact := constant.Int64Val(k.Value); exact && n >= 400 && n < 600 {
				return true
			}
		}
	}
	return false
}

// closed reports whether the error v is what a Close method returned:
// return res.Body.Close() goes on as done, and says so unless closing
// fails.
func closed(v ssa.Value) bool {
	call, ok := v.(*ssa.Call)
	return ok && call.Call.IsInvoke() && call.Call.Method.Name() == "Close"
}

// givesError reports whether the call is given an error that is not nil,
// as its own argument rather than one of a ...any list to log.
func givesError(c *ssa.CallCommon) bool {
	return slices.ContainsFunc(c.Args, func(a ssa.Value) bool { return IsError(a.Type()) && !IsNil(a) })
}

func isFalse(v ssa.Value) bool {
	k, ok := v.(*ssa.Const)
	return ok && k.Value != nil && k.Value.Kind() == constant.Bool && !constant.BoolVal(k.Value)
}

// OtherOperand returns the operand of b that is not v.
func OtherOperand(b *ssa.BinOp, v ssa.Value) ssa.Value {
	if b.X == v {
		return b.Y
	}
	return b.X
}

// ErrorBranch returns the successor that br takes when it tests an error
// against nil and finds it set: the failure branch of if err != nil.
func ErrorBranch(br *ssa.If) (*ssa.BasicBlock, bool) {
	bin, ok := br.Cond.(*ssa.BinOp)
	if !ok || !(IsNil(bin.X) || IsNil(bin.Y)) || !IsError(bin.X.Type()) {
		return nil, false
	}
	if bin.Op == token.EQL {
		return br.Block().Succs[1], true
	}
	return br.Block().Succs[0], true
}

// ErrorTests returns the branches on call's error compared with nil, each
// with the block it takes when the error is not nil.
func ErrorTests(call *ssa.Call) (tests []*ssa.If, failed []*ssa.BasicBlock) {
	err := ErrorOf(call)
	if err == nil {
		return nil, nil
	}
	for _, ref := range *err.Referrers() {
		bin, ok := ref.(*ssa.BinOp)
		if !ok {
			continue
		}
		for _, use := range *bin.Referrers() {
			if br, ok := use.(*ssa.If); ok {
				if f, ok := ErrorBranch(br); ok {
					tests, failed = append(tests, br), append(failed, f)
				}
			}
		}
	}
	return tests, failed
}
