// Package polls implements voting on consultation polls: the CastVote use
// case, the ballot box in D1 and the live tally mirrored to KV for the
// results widget.
package polls

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"example.com/vireo/internal/domain"
)

// PollSource looks up poll and consultation definitions.
type PollSource interface {
	Poll(ctx context.Context, id string) (domain.Poll, error)
	ByID(ctx context.Context, id string) (domain.Consultation, error)
}

// BallotBox is the authoritative ballot store. Insert returns
// domain.ErrConflict when the citizen already voted in the poll.
type BallotBox interface {
	Insert(ctx context.Context, b domain.Ballot) error
}

// LiveTally mirrors counts for the results widget.
type LiveTally interface {
	Increment(ctx context.Context, pollID, optionID string) error
}

// CastVoteInput is what the HTTP layer hands the use case.
type CastVoteInput struct {
	PollID    string
	CitizenID string
	OptionIDs []string
}

// CastVoteOutput is what the presenter renders.
type CastVoteOutput struct {
	PollID   string    `json:"poll_id"`
	Accepted []string  `json:"accepted"`
	CastAt   time.Time `json:"cast_at"`
}

// CastVote records a citizen's ballot.
type CastVote struct {
	Polls   PollSource
	Ballots BallotBox
	Live    LiveTally
	Clock   func() time.Time
}

// Execute validates and records the ballot.
func (uc CastVote) Execute(ctx context.Context, in CastVoteInput) (CastVoteOutput, error) {
	poll, err := uc.Polls.Poll(ctx, in.PollID)
	if err != nil {
		return CastVoteOutput{}, err
	}
	cons, err := uc.Polls.ByID(ctx, poll.ConsultationID)
	if err != nil {
		return CastVoteOutput{}, err
	}
	now := uc.Clock()
	if !cons.IsOpen(now) || now.After(poll.ClosesAt) {
		return CastVoteOutput{}, fmt.Errorf("poll %s: %w", poll.ID, domain.ErrClosed)
	}
	choices := slices.Compact(slices.Sorted(slices.Values(in.OptionIDs)))
	if len(choices) == 0 || len(choices) > max(poll.MaxChoices, 1) {
		return CastVoteOutput{}, &domain.APIError{Status: 400, Code: "choices", Msg: "wrong number of choices", Err: domain.ErrInvalid}
	}
	for _, id := range choices {
		if !poll.HasOption(id) {
			return CastVoteOutput{}, fmt.Errorf("option %q: %w", id, domain.ErrInvalid)
		}
	}
	ballot := domain.Ballot{PollID: poll.ID, CitizenID: in.CitizenID, OptionIDs: choices, CastAt: now}
	if err := uc.Ballots.Insert(ctx, ballot); err != nil {
		if errors.Is(err, domain.ErrConflict) {
			return CastVoteOutput{}, &domain.APIError{Status: 409, Code: "already_voted", Msg: "you have already voted in this poll", Err: err}
		}
		return CastVoteOutput{}, err
	}
	for _, id := range choices {
		if err := uc.Live.Increment(ctx, poll.ID, id); err != nil {
			// The widget catches up from D1 on the next publish.
			break
		}
	}
	return CastVoteOutput{PollID: poll.ID, Accepted: choices, CastAt: now}, nil
}
