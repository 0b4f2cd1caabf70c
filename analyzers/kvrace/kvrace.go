package kvrace

import (
	_ "embed"
	"fmt"
	"go/token"
	"slices"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/kvlint/kvlint/analyzers/internal/analysisdoc"
	"github.com/kvlint/kvlint/analyzers/internal/report"
	"github.com/kvlint/kvlint/analyzers/kvapi"
	"github.com/kvlint/kvlint/analyzers/kvcounter"
	"github.com/kvlint/kvlint/analyzers/kvhotkey"
	"github.com/kvlint/kvlint/analyzers/kvsession"
)

//go:embed doc.go
var doc string

// Analyzer reports read-modify-write races on one KV key.
var Analyzer = &analysis.Analyzer{
	Name:     "kvrace",
	Doc:      analysisdoc.Extract(doc, "kvrace"),
	URL:      "https://github.com/kvlint/kvlint/blob/main/docs/kvrace.md",
	Requires: []*analysis.Analyzer{kvapi.Analyzer, kvcounter.Analyzer, kvsession.Analyzer, kvhotkey.Analyzer},
	Run:      run,
}

const (
	rmwMsg   = "read-modify-write on one KV key: this put writes back a value derived from the get on line %d; KV has no compare-and-swap, so concurrent writers silently overwrite each other (last write wins): keep this state in a Durable Object or D1"
	claimMsg = "check-then-create on one KV key: the get on line %d only checks that the key is free, then this put claims it; two requests can both find it free and the last write wins, so both believe they own it: claim it in D1 (a UNIQUE constraint) or a Durable Object"
	swapMsg  = "compare-and-swap made of a get and a put: the value read on line %d is compared with the one the caller expects, then this put replaces it; two writers can both find the expected value and both write, and the last write wins: KV has no compare-and-swap, so keep this state in a Durable Object, or in D1 with a conditional UPDATE"
	heldMsg  = "check-then-set on one KV key: the value read on line %d decides whether this request may take the key (a lease, a lock, a reservation), then this put takes it; two requests can both find it free or expired and the last write wins, so both believe they hold it: take it in a Durable Object, or in D1 with a conditional UPDATE"
)

func run(pass *analysis.Pass) (any, error) {
	model := pass.ResultOf[kvapi.Analyzer].(*kvapi.Result)
	if len(model.Ops) == 0 {
		return nil, nil
	}
	counted := pass.ResultOf[kvcounter.Analyzer].(*kvcounter.Result).Claimed
	sessions := pass.ResultOf[kvsession.Analyzer].(*kvsession.Result)
	hot := pass.ResultOf[kvhotkey.Analyzer].(*kvhotkey.Result).Claimed
	rep := report.New(pass)
	for _, put := range model.Ops {
		if (put.Method.Role != kvapi.Put && put.Method.Role != kvapi.BulkPut) || put.InTest() || counted[put.Call] || sessions.Claimed[put.Call] || sessions.Judged[put.Call] || hot[put.Call] || model.ReadsInside(put) {
			continue
		}
		// The put's message, its get, and what the get did.
		found := func(get *kvapi.Op, format, related string) {
			pos, end := put.Range(get)
			getPos, getEnd := get.Range(put)
			rep.Report(analysis.Diagnostic{
				Pos: pos, End: end,
				Message: fmt.Sprintf(format, pass.Fset.Position(getPos).Line),
				Related: []analysis.RelatedInformation{{Pos: getPos, End: getEnd, Message: related}},
			})
		}
		// A put that runs only where its get missed read nothing to lose
		// (a cache fill that reuses the variable the get decoded into),
		// a walk's checkpoint writes where the listing stopped, and an
		// owner's renewal adds nothing to what it read.
		// (A record written back under the key built from its own id,
		// requestKey(r.ID) of what requestKey(req.ID) read, is the same.)
		get := model.ReadOf(put)
		if get == nil {
			get = model.SelfKeyedRead(put)
		}
		if get != nil && !checkpoint(model, put, get) && !filledOnError(get, put) && !filledOnMiss(get, put) && !ownerRenewal(model, put, get) {
			found(get, rmwMsg, "the value is read here")
		} else if get != nil {
			continue
		} else if get = model.KeptRead(put); get != nil {
			found(get, rmwMsg, "the value is read here, and kept in a field")
		} else if get = claimOf(model, put); get != nil {
			found(get, claimMsg, "the key is checked here")
		} else if get, swap := heldCheckOf(model, put); get != nil && swap {
			found(get, swapMsg, "the value is compared here")
		} else if get != nil {
			found(get, heldMsg, "the holder is checked here")
		}
	}
	rep.Finish()
	return nil, nil
}

// checkpoint reports whether put writes where a walk of a listing stopped:
// the cursor read by get starts the list, and what is written comes from
// that list's results (the next cursor), not from the value read.
func checkpoint(model *kvapi.Result, put, get *kvapi.Op) bool {
	reads := get.Results()
	for _, list := range model.OpsIn(put.Call.Parent(), kvapi.List) {
		started := slices.ContainsFunc(list.Sources(kvapi.Cursor), func(src kvapi.Source) bool {
			return model.DependsOnAny(src.Inputs(), list.Call, reads)
		})
		if !started {
			continue
		}
		listed := list.Results()
		for _, src := range put.Sources(kvapi.Value) {
			if !model.DependsOnAny(src.Inputs(), put.Call, listed) {
				return false
			}
		}
		return true
	}
	return false
}

// filledOnMiss reports whether put runs only where get's found flag said
// the key was missing: the variable the get would have decoded into is
// then filled from elsewhere (if ok, err := LoadJSON(ctx, s, key, &v);
// err != nil || ok { return }, then v from the origin). The same holds
// where the found side of the flag never reaches the put, whatever else
// does (if err == nil && ok { return v }): what the get found is never
// written back. A test of what was read (link.RevokedAt != nil) is no
// such flag.
func filledOnMiss(get, put *kvapi.Op) bool {
	call, ok := get.Call.(*ssa.Call)
	if !ok || call.Parent() != put.Call.Parent() {
		return false
	}
	for _, b := range call.Parent().Blocks {
		br, ok := b.Instrs[len(b.Instrs)-1].(*ssa.If)
		if !ok {
			continue
		}
		flag, found := br.Cond, 0 // the true side of "if found"
		if not, ok := flag.(*ssa.UnOp); ok && not.Op == token.NOT {
			flag, found = not.X, 1
		}
		ext, ok := flag.(*ssa.Extract)
		if !ok || ext.Tuple != call || !kvapi.IsBool(ext.Type()) {
			continue
		}
		if missing := b.Succs[1-found]; len(missing.Preds) == 1 && missing.Dominates(put.Call.Block()) {
			return true
		}
		if there := b.Succs[found]; len(there.Preds) == 1 && there != put.Call.Block() && !kvapi.Reaches(there, put.Call.Block()) {
			return true
		}
	}
	return false
}

// filledOnError reports whether put runs only where get failed: on the
// side of a test of get's error that says it is not nil. (A miss, for an
// SDK or port that reports one as an error; any other failure returns.)
func filledOnError(get, put *kvapi.Op) bool {
	call, ok := get.Call.(*ssa.Call)
	if !ok || call.Parent() != put.Call.Parent() {
		return false
	}
	_, failed := kvapi.ErrorTests(call)
	return slices.ContainsFunc(failed, func(f *ssa.BasicBlock) bool {
		return len(f.Preds) == 1 && f.Dominates(put.Call.Block())
	})
}
