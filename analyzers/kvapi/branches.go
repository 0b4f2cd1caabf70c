package kvapi

// What a branch does: turn the caller away, as a claim refused because the
// key is taken or a value that failed to parse does.

import (
	"go/constant"
	"go/token"
	"iter"
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

// guardDecides returns the value of cond, a parameter compared with a
// constant, that a test around the call decides: Advance returns early
// when next == StatusServed, so in the next.TTL() that follows, the
// switch's case StatusServed is not taken.
func guardDecides(cond ssa.Value, f *Frame) (known, ok bool) {
	bin, isBin := cond.(*ssa.BinOp)
	if !isBin || bin.Op != token.EQL && bin.Op != token.NEQ {
		return false, false
	}
	x, y := bin.X, bin.Y
	if _, isConst := x.(*ssa.Const); isConst {
		x, y = y, x
	}
	c, isConst := y.(*ssa.Const)
	if !isConst || c.Value == nil {
		return false, false
	}
	var at *ssa.BasicBlock
	for {
		p, isParam := x.(*ssa.Parameter)
		if !isParam {
			break
		}
		arg, outer, bound := f.Bound(p)
		if !bound {
			break
		}
		x, at, f = arg, f.callBlock(p), outer
	}
	if at == nil {
		return false, false
	}
	equal, ok := testedEqual(x, c.Value, at)
	if !ok {
		return false, false
	}
	return equal == (bin.Op == token.EQL), true
}

// testedEqual returns whether x equals c in block at, as the tests of x
// against constants on every path there say: the false way out of
// "if x == c" or the true way of "if x == d" (d ≠ c).
func testedEqual(x ssa.Value, c constant.Value, at *ssa.BasicBlock) (equal, ok bool) {
	for k, holds := range tests(x, at) {
		same := k.Kind() == c.Kind() && constant.Compare(k, token.EQL, c)
		switch {
		case holds:
			return same, true
		case same:
			return false, true
		}
	}
	return false, false
}

// Pinned reports whether a test on the way to block at leaves x one
// constant: "if g != gradeBench { return }" before g.lifetime().
func Pinned(x ssa.Value, at *ssa.BasicBlock) bool {
	for _, holds := range tests(x, at) {
		if holds {
			return true
		}
	}
	return false
}

// tests yields each constant that x is compared with on the way into at,
// nearest first, with whether x == k holds there.
func tests(x ssa.Value, at *ssa.BasicBlock) iter.Seq2[constant.Value, bool] {
	return func(yield func(constant.Value, bool) bool) {
		for b := at; b != nil; b = b.Idom() {
			if len(b.Preds) != 1 {
				continue
			}
			br, isIf := b.Preds[0].Instrs[len(b.Preds[0].Instrs)-1].(*ssa.If)
			if !isIf || br.Block().Succs[0] == br.Block().Succs[1] {
				continue
			}
			bin, isBin := br.Cond.(*ssa.BinOp)
			if !isBin || bin.Op != token.EQL && bin.Op != token.NEQ || bin.X != x && bin.Y != x {
				continue
			}
			k, isConst := OtherOperand(bin, x).(*ssa.Const)
			if !isConst || k.Value == nil {
				continue
			}
			if !yield(k.Value, (br.Block().Succs[0] == b) == (bin.Op == token.EQL)) {
				return
			}
		}
	}
}
