package consultation

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"example.com/vireo/internal/domain"
	"example.com/vireo/internal/kvstore"
	"example.com/vireo/internal/kvstore/kvx"
)

var resultsAt = kvx.Prefixed("results:")

// Totals is the per-option vote count for one poll.
type Totals struct {
	PollID   string           `json:"poll_id"`
	Counts   map[string]int64 `json:"counts"`
	Computed time.Time        `json:"computed"`
}

// TallySource is the authoritative vote store (D1).
type TallySource interface {
	Totals(ctx context.Context, pollID string) (map[string]int64, error)
}

// ResultsCache serves poll totals from KV, filling misses from the tally
// database.
type ResultsCache struct {
	Store  kvstore.Store
	Source TallySource
	Clock  func() time.Time
}

// Results returns the cached totals for a poll of consultation c.
func (rc *ResultsCache) Results(ctx context.Context, c domain.Consultation, pollID string) (Totals, error) {
	key := resultsAt(c.ID, pollID)
	raw, err := rc.Store.Get(ctx, key)
	if err == nil {
		var t Totals
		if err := json.Unmarshal(raw, &t); err == nil {
			return t, nil
		}
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return Totals{}, err
	}

	counts, err := rc.Source.Totals(ctx, pollID)
	if err != nil {
		return Totals{}, err
	}
	t := Totals{PollID: pollID, Counts: counts, Computed: rc.Clock().UTC()}
	raw, err = json.Marshal(t)
	if err != nil {
		return Totals{}, err
	}
	err = rc.Store.Put(ctx, key, raw, kvstore.WriteOptions{
		TTL: time.Until(c.ClosesAt), // EXPECT kvttl
	})
	return t, err
}
