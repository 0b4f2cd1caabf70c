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

// KVTally keeps an edge-side tally of a poll in the store. It is used for
// lobbies whose drop has no D1 database attached (pop-up shows).
type KVTally struct {
	Store storage.Store
}

// Add implements TallyCounter.
func (t KVTally) Add(ctx context.Context, pollID, option string) error {
	key := keys.PollTally(pollID)
	tally, err := storage.GetJSON[domain.Tally](ctx, t.Store, key)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("tally %s: %w", pollID, err)
	}
	if tally.Counts == nil {
		tally = domain.Tally{PollID: pollID, Counts: map[string]int64{}}
	}
	tally.Counts[option]++
	if err := storage.PutJSON(ctx, t.Store, key, tally, storage.PutOptions{TTL: 30 * 24 * time.Hour}); err != nil { // EXPECT kvcounter
		return fmt.Errorf("tally %s: %w", pollID, err)
	}
	return nil
}

// Read implements TallyCounter.
func (t KVTally) Read(ctx context.Context, pollID string) (domain.Tally, error) {
	tally, err := storage.GetJSON[domain.Tally](ctx, t.Store, keys.PollTally(pollID))
	if errors.Is(err, storage.ErrNotFound) {
		return domain.Tally{PollID: pollID, Counts: map[string]int64{}}, nil
	}
	return tally, err
}
