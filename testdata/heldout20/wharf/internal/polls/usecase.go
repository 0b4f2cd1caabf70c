// Package polls runs the encore votes shown in the lobby: which song the
// band should close with, which city gets the next date.
package polls

import (
	"context"
	"fmt"
	"strings"
	"time"

	"example.com/wharf/internal/domain"
)

// PollRepo reads poll definitions.
type PollRepo interface {
	Get(ctx context.Context, id string) (domain.Poll, error)
}

// VoteRepo records who voted.
type VoteRepo interface {
	HasVoted(ctx context.Context, pollID, visitorID string) (bool, error)
	Record(ctx context.Context, b domain.Ballot) error
}

// TallyCounter keeps per-option totals.
type TallyCounter interface {
	Add(ctx context.Context, pollID, option string) error
	Read(ctx context.Context, pollID string) (domain.Tally, error)
}

// CastVoteInput is one vote request.
type CastVoteInput struct {
	PollID    string
	VisitorID string
	Option    string
}

// CastVoteOutput echoes the ballot that was recorded.
type CastVoteOutput struct {
	Ballot domain.Ballot
}

// CastVote records a visitor's vote once.
type CastVote struct {
	Polls   PollRepo
	Votes   VoteRepo
	Tallies TallyCounter
	Clock   func() time.Time
}

// Execute runs the use case.
func (uc CastVote) Execute(ctx context.Context, in CastVoteInput) (CastVoteOutput, error) {
	in.Option = strings.TrimSpace(in.Option)
	poll, err := uc.Polls.Get(ctx, in.PollID)
	if err != nil {
		return CastVoteOutput{}, err
	}
	now := uc.Clock()
	if !now.Before(poll.ClosesAt) {
		return CastVoteOutput{}, fmt.Errorf("poll %s: %w", poll.ID, domain.ErrClosed)
	}
	if !poll.Accepts(in.Option) {
		return CastVoteOutput{}, domain.Invalid("option", fmt.Sprintf("%q is not on the ballot", in.Option))
	}
	voted, err := uc.Votes.HasVoted(ctx, poll.ID, in.VisitorID)
	if err != nil {
		return CastVoteOutput{}, err
	}
	if voted {
		return CastVoteOutput{}, fmt.Errorf("poll %s: %w", poll.ID, domain.ErrAlreadyVoted)
	}
	b := domain.Ballot{PollID: poll.ID, VisitorID: in.VisitorID, Option: in.Option, CastAt: now}
	if err := uc.Votes.Record(ctx, b); err != nil { // EXPECT kvrace
		return CastVoteOutput{}, err
	}
	if err := uc.Tallies.Add(ctx, poll.ID, in.Option); err != nil {
		return CastVoteOutput{}, err
	}
	return CastVoteOutput{Ballot: b}, nil
}

// ResultsQuery reads the current results of a poll.
type ResultsQuery struct {
	Polls   PollRepo
	Tallies TallyCounter
}

// Execute returns the poll and its tally.
func (q ResultsQuery) Execute(ctx context.Context, pollID string) (domain.Poll, domain.Tally, error) {
	poll, err := q.Polls.Get(ctx, pollID)
	if err != nil {
		return poll, domain.Tally{}, err
	}
	tally, err := q.Tallies.Read(ctx, pollID)
	return poll, tally, err
}
