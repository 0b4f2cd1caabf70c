package kvapi

import (
	"go/token"
	"testing"
)

// A Term that shares its parts, as a loop over a builder that returns
// copies makes, is small in memory but exponential written out. Each
// step must stay bounded: this one written out has 2^60 parts.
func TestSharedTermsStayBounded(t *testing.T) {
	shared := &Term{Op: TermParam, Index: 1}
	for range 60 {
		shared = &Term{Op: TermBinOp, Tok: token.ADD, Name: "string", Args: []*Term{shared, shared}}
	}
	param := &Term{Op: TermParam, Index: 2}
	for name, got := range map[string]*Term{
		"Substitute": shared.Substitute([]*Term{nil, param}),
		"rewrite":    shared.rewrite(func(*Term) *Term { return nil }),
	} {
		if got.Op != TermOpaque || len(got.Args) != 1 || got.Args[0].Index != 2 && got.Args[0].Index != 1 {
			t.Errorf("%s: got %v, want an opaque Term over the one parameter", name, got.Op)
		}
		if s := got.String(); len(s) > 16 {
			t.Errorf("%s: written out as %d bytes", name, len(s))
		}
	}

	// A small Term is kept whole.
	small := &Term{Op: TermBinOp, Tok: token.ADD, Name: "string", Args: []*Term{{Op: TermConst, Value: `"sess:"`}, {Op: TermParam, Index: 0}}}
	if got := small.Substitute([]*Term{param}).String(); got != `(+ "sess:" $2)` {
		t.Errorf("small Term: got %s", got)
	}
}

// A lifetime that an option sets over what the options held before,
// phi((TTL ?), time.Until(t)), is the option's countdown: the prior value
// is not the option's to bound, as the constant evaluator knows only the
// option's constant.
func TestOptionOverPriorFieldIsBounded(t *testing.T) {
	prior := &Term{Op: TermField, Name: "TTL", Args: []*Term{opaque}}
	until := &Term{Op: TermCall, Name: "time.Until", Args: []*Term{{Op: TermParam, Index: 0}}}
	phi := &Term{Op: TermPhi, Args: []*Term{prior, until}, Conds: [][]Cond{nil, nil}}
	e := &evaluator{model: &Result{}}
	if b := e.termBound(phi, nil, nil, nil, nil, 0); !b.Countdown {
		t.Errorf("option over a prior field: got %+v, want a countdown", b)
	}
	// Two sources that are both unknown stay unknown.
	other := &Term{Op: TermField, Name: "TTL", Args: []*Term{{Op: TermParam, Index: 1}}}
	phi = &Term{Op: TermPhi, Args: []*Term{other, until}, Conds: [][]Cond{nil, nil}}
	if b := e.termBound(phi, nil, nil, nil, nil, 0); b.Countdown || b.Floored {
		t.Errorf("a caller's field or a countdown: got %+v, want unknown", b)
	}
}
