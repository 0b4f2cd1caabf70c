package polls_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/wharf/internal/domain"
	"example.com/wharf/internal/polls"
	"example.com/wharf/internal/storage/memstore"
)

type fixedPolls map[string]domain.Poll

func (f fixedPolls) Get(_ context.Context, id string) (domain.Poll, error) {
	p, ok := f[id]
	if !ok {
		return p, domain.ErrNotFound
	}
	return p, nil
}

// memTally is an in-memory TallyCounter standing in for the D1 tally.
type memTally map[string]map[string]int64

func (m memTally) Add(_ context.Context, poll, option string) error {
	if m[poll] == nil {
		m[poll] = map[string]int64{}
	}
	m[poll][option]++
	return nil
}

func (m memTally) Read(_ context.Context, poll string) (domain.Tally, error) {
	return domain.Tally{PollID: poll, Counts: m[poll]}, nil
}

func TestCastVoteOncePerVisitor(t *testing.T) {
	now := time.Date(2026, 5, 1, 19, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	store := memstore.New(clock)
	tally := memTally{}
	uc := polls.CastVote{
		Polls: fixedPolls{"encore": {
			ID: "encore", Question: "Closing song?",
			Options: []string{"Lighthouse", "Undertow"}, ClosesAt: now.Add(time.Hour),
		}},
		Votes:   polls.KVVotes{Store: store},
		Tallies: tally,
		Clock:   clock,
	}
	ctx := context.Background()
	in := polls.CastVoteInput{PollID: "encore", VisitorID: "v1", Option: "Undertow"}
	if _, err := uc.Execute(ctx, in); err != nil {
		t.Fatalf("first vote: %v", err)
	}
	if _, err := uc.Execute(ctx, in); !errors.Is(err, domain.ErrAlreadyVoted) {
		t.Fatalf("second vote: got %v, want ErrAlreadyVoted", err)
	}
	in.Option = "Encore!"
	in.VisitorID = "v2"
	var apiErr *domain.APIError
	if _, err := uc.Execute(ctx, in); !errors.As(err, &apiErr) || apiErr.Status != 400 {
		t.Fatalf("bad option: got %v", err)
	}
	if got := tally["encore"]["Undertow"]; got != 1 {
		t.Fatalf("tally = %d, want 1", got)
	}
}

func TestPresentOrdersBallotThenWriteIns(t *testing.T) {
	poll := domain.Poll{ID: "p", Options: []string{"B", "A"}}
	res := polls.Present(poll, domain.Tally{Counts: map[string]int64{"A": 3, "B": 1, "Z": 4}})
	var order []string
	for _, r := range res.Rows {
		order = append(order, r.Option)
	}
	if len(order) != 3 || order[0] != "B" || order[1] != "A" || order[2] != "Z" {
		t.Fatalf("order = %v", order)
	}
	if res.Leader != "Z" || res.Total != 8 {
		t.Fatalf("leader %q total %d", res.Leader, res.Total)
	}
}
