package polls

import (
	"context"
	"errors"
	"fmt"
	"time"

	"example.com/wharf/internal/domain"
	"example.com/wharf/internal/keys"
	"example.com/wharf/internal/storage"
)

// KVPolls reads poll definitions published to the store by the admin tool.
type KVPolls struct {
	Store storage.Reader
}

// Get implements PollRepo.
func (r KVPolls) Get(ctx context.Context, id string) (domain.Poll, error) {
	p, err := storage.GetJSON[domain.Poll](ctx, r.Store, keys.Poll(id))
	if errors.Is(err, storage.ErrNotFound) {
		return p, fmt.Errorf("poll %s: %w", id, domain.ErrNotFound)
	}
	return p, err
}

// KVVotes keeps one ballot per visitor in the store.
type KVVotes struct {
	Store storage.Store
	// Keep is how long ballots are kept after they are cast.
	Keep time.Duration
}

// HasVoted implements VoteRepo.
func (r KVVotes) HasVoted(ctx context.Context, pollID, visitorID string) (bool, error) {
	_, err := r.Store.Get(ctx, keys.Ballot(pollID, visitorID))
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, storage.ErrNotFound):
		return false, nil
	default:
		return false, fmt.Errorf("ballot lookup: %w", err)
	}
}

// Record implements VoteRepo.
func (r KVVotes) Record(ctx context.Context, b domain.Ballot) error {
	return storage.PutJSON(ctx, r.Store, keys.Ballot(b.PollID, b.VisitorID), b,
		storage.PutOptions{TTL: max(r.Keep, 7*24*time.Hour)})
}
