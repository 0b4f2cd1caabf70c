package kvapi

import (
	"go/types"

	"golang.org/x/tools/go/ssa"
)

// Number helpers of other packages. A lifetime is often converted by a
// helper of the storage port's package, kvstore.SecondsOf(d) returning
// Seconds(d / time.Second); a numberFact carries the helper's Term, so
// that a caller elsewhere evaluates and bounds what it is given as the
// helper computes it: SecondsOf(max(2*window, 10*time.Second)) has a
// floor of 10.

// A numberFact is the Term of what a function returns, when it returns
// one number computed from its parameters alone.
type numberFact struct {
	Term *Term
}

func (*numberFact) AFact() {}

func (f *numberFact) String() string { return "kv number: " + f.Term.String() }

// exportNumbers exports a numberFact for each of the package's number
// helpers.
func (r *Result) exportNumbers() {
	for _, fn := range r.funcs {
		obj, ok := fn.Object().(*types.Func)
		if !ok || fn.Parent() != nil || !numeric(fn.Signature) {
			continue
		}
		if t := r.returnTerm(fn); t != nil && t.Params() {
			r.pass.ExportObjectFact(obj, &numberFact{Term: t})
		}
	}
}

// numeric reports whether sig returns one integer or float.
func numeric(sig *types.Signature) bool {
	return sig.Results().Len() == 1 && basic(sig.Results().At(0).Type(), types.IsInteger|types.IsFloat)
}

// numberTerm returns the Term of what a number helper of another package
// returns, nil if it is not one.
func (r *Result) numberTerm(fn *ssa.Function) *Term {
	if fn.Blocks != nil || !numeric(fn.Signature) {
		return nil
	}
	obj, ok := fn.Object().(*types.Func)
	if !ok {
		return nil
	}
	fact := new(numberFact)
	if !r.pass.ImportObjectFact(obj, fact) {
		return nil
	}
	return fact.Term
}
