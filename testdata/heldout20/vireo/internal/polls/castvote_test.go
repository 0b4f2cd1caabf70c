package polls

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"example.com/vireo/internal/domain"
	"example.com/vireo/internal/kvstore/memkv"
)

type fakePolls struct {
	poll domain.Poll
	cons domain.Consultation
}

func (f fakePolls) Poll(context.Context, string) (domain.Poll, error) { return f.poll, nil }

func (f fakePolls) ByID(context.Context, string) (domain.Consultation, error) { return f.cons, nil }

type fakeBox struct {
	mu   sync.Mutex
	seen map[string]bool
}

func (b *fakeBox) Insert(_ context.Context, bl domain.Ballot) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	k := bl.PollID + "/" + bl.CitizenID
	if b.seen[k] {
		return fmt.Errorf("ballot: %w", domain.ErrConflict)
	}
	b.seen[k] = true
	return nil
}

func TestCastVoteRejectsSecondBallot(t *testing.T) {
	now := time.Date(2026, 6, 10, 18, 0, 0, 0, time.UTC)
	src := fakePolls{
		poll: domain.Poll{ID: "p1", ConsultationID: "c1", MaxChoices: 1, ClosesAt: now.Add(time.Hour),
			Options: []domain.Option{{ID: "yes", Label: "Yes"}, {ID: "no", Label: "No"}}},
		cons: domain.Consultation{ID: "c1", Status: domain.StatusOpen, OpensAt: now.Add(-time.Hour), ClosesAt: now.Add(time.Hour)},
	}
	uc := CastVote{
		Polls:   src,
		Ballots: &fakeBox{seen: map[string]bool{}},
		Live:    KVTally{Store: memkv.New(func() time.Time { return now })},
		Clock:   func() time.Time { return now },
	}
	in := CastVoteInput{PollID: "p1", CitizenID: "citizen-7", OptionIDs: []string{"yes"}}
	if _, err := uc.Execute(context.Background(), in); err != nil {
		t.Fatalf("first ballot: %v", err)
	}
	_, err := uc.Execute(context.Background(), in)
	var apiErr *domain.APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 409 {
		t.Fatalf("second ballot: got %v, want 409", err)
	}
}

func TestCastVoteRejectsUnknownOption(t *testing.T) {
	now := time.Date(2026, 6, 10, 18, 0, 0, 0, time.UTC)
	src := fakePolls{
		poll: domain.Poll{ID: "p1", ConsultationID: "c1", MaxChoices: 1, ClosesAt: now.Add(time.Hour),
			Options: []domain.Option{{ID: "yes"}, {ID: "no"}}},
		cons: domain.Consultation{ID: "c1", Status: domain.StatusOpen, OpensAt: now.Add(-time.Hour), ClosesAt: now.Add(time.Hour)},
	}
	uc := CastVote{Polls: src, Ballots: &fakeBox{seen: map[string]bool{}}, Clock: func() time.Time { return now }}
	_, err := uc.Execute(context.Background(), CastVoteInput{PollID: "p1", CitizenID: "c", OptionIDs: []string{"maybe"}})
	if !errors.Is(err, domain.ErrInvalid) {
		t.Fatalf("got %v, want ErrInvalid", err)
	}
}
