package kvapi

import (
	"go/types"
	"slices"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// A runner is a function that calls a function it is given before it
// returns: retry.Do(ctx, 3, func() error { return kv.Put(...) }), a
// backoff loop, a transaction helper. The closure it is given runs where
// the runner is called, as often as it is; one kept for later, a
// callback registered with bus.On, does not.

// A runsFact lists the parameters, by index, that a function of another
// package calls before it returns.
type runsFact struct {
	Params []int
}

func (*runsFact) AFact() {}

func (f *runsFact) String() string { return "kv runs" }

// exportRuns exports a runsFact for each of the package's runners.
func (r *Result) exportRuns() {
	for _, fn := range r.funcs {
		obj, ok := fn.Object().(*types.Func)
		if !ok || fn.Parent() != nil {
			continue
		}
		var runs []int
		for i := range fn.Params {
			if r.Runs(fn, i) {
				runs = append(runs, i)
			}
		}
		if runs != nil {
			r.pass.ExportObjectFact(obj, &runsFact{Params: runs})
		}
	}
}

// takesFuncs reports whether an exported function of the package is
// given a function.
func takesFuncs(pass *analysis.Pass) bool {
	for _, obj := range pass.TypesInfo.Defs {
		fn, ok := obj.(*types.Func)
		if !ok || !fn.Exported() {
			continue // only another package's calls need the fact
		}
		params := fn.Signature().Params()
		for i := range params.Len() {
			if _, ok := params.At(i).Type().Underlying().(*types.Signature); ok {
				return true
			}
		}
	}
	return false
}

// Runs reports whether fn calls its parameter i before it returns, in
// itself or through another runner it hands the parameter to.
func (r *Result) Runs(fn *ssa.Function, i int) bool {
	return r.runs(fn, i, 0)
}

func (r *Result) runs(fn *ssa.Function, i int, depth int) bool {
	if fn.Origin() != nil {
		fn = fn.Origin()
	}
	if fn.Pkg != r.pkg || fn.Blocks == nil {
		var fact runsFact
		obj, ok := fn.Object().(*types.Func)
		return ok && r.pass.ImportObjectFact(obj, &fact) && slices.Contains(fact.Params, i)
	}
	if i >= len(fn.Params) || depth > maxDepth {
		return false
	}
	if _, ok := fn.Params[i].Type().Underlying().(*types.Signature); !ok {
		return false
	}
	for _, ref := range *fn.Params[i].Referrers() {
		call, ok := ref.(*ssa.Call) // not a go or defer statement's
		if !ok {
			continue
		}
		if call.Call.Value == fn.Params[i] {
			return true
		}
		if callee := call.Call.StaticCallee(); callee != nil {
			if j := slices.Index(call.Call.Args, ssa.Value(fn.Params[i])); j >= 0 && r.runs(callee, j, depth+1) {
				return true
			}
		}
	}
	return false
}

// RunSites returns the calls that run the closure fn: its own calls, and
// the calls of runners it is given to.
func (r *Result) RunSites(fn *ssa.Function) []ssa.CallInstruction {
	sites := slices.Clone(r.CallSites(fn))
	if fn.Parent() == nil {
		return sites
	}
	for _, b := range fn.Parent().Blocks {
		for _, instr := range b.Instrs {
			mc, ok := instr.(*ssa.MakeClosure)
			if !ok || mc.Fn != fn {
				continue
			}
			for _, ref := range *mc.Referrers() {
				call, ok := ref.(*ssa.Call)
				if !ok || call.Call.Value == mc {
					continue
				}
				callee := call.Call.StaticCallee()
				if j := slices.Index(call.Call.Args, ssa.Value(mc)); callee != nil && j >= 0 && r.Runs(callee, j) {
					sites = append(sites, call)
				}
			}
		}
	}
	return sites
}
