package polls

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"time"

	"example.com/vireo/internal/domain"
	"example.com/vireo/internal/kvstore"
	"example.com/vireo/internal/kvstore/kvx"
)

var (
	liveAt     = kvx.Prefixed("live-tally:")
	snapshotAt = kvx.Prefixed("poll-results:")
)

// KVTally keeps a running count per option for the results widget.
type KVTally struct {
	Store kvstore.Store
}

// Increment adds one vote to an option.
func (t KVTally) Increment(ctx context.Context, pollID, optionID string) error {
	key := liveAt(pollID, optionID)
	raw, err := t.Store.Get(ctx, key)
	var n uint64
	switch {
	case err == nil && len(raw) == 8:
		n = binary.BigEndian.Uint64(raw)
	case err != nil && !kvstore.IsMiss(err):
		return err
	}
	return t.Store.Put(ctx, key, kvx.EncodeUint64(n+1), kvstore.WriteOptions{}) // EXPECT kvcounter
}

// Count reads the running count for an option.
func (t KVTally) Count(ctx context.Context, pollID, optionID string) (uint64, error) {
	raw, err := t.Store.Get(ctx, liveAt(pollID, optionID)) // EXPECT kvnull
	if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return 0, err
	}
	return binary.BigEndian.Uint64(raw), nil
}

// Snapshot is the published results document for one poll.
type Snapshot struct {
	PollID    string           `json:"poll_id"`
	Totals    map[string]int64 `json:"totals"`
	Options   []string         `json:"options"`
	Published time.Time        `json:"published"`
}

// Counter reads authoritative counts one option at a time.
type Counter interface {
	Count(ctx context.Context, pollID, optionID string) (int64, error)
}

// Publisher writes results snapshots for the public pages.
type Publisher struct {
	Store  kvstore.Store
	Counts Counter
	Totals interface {
		Totals(ctx context.Context, pollID string) (map[string]int64, error)
	}
	Clock func() time.Time
}

// PublishIncremental publishes a poll's snapshot, refreshing it as each
// option's count arrives so long polls show partial results early.
func (p Publisher) PublishIncremental(ctx context.Context, poll domain.Poll) error {
	key := snapshotAt(poll.ID)
	snap := Snapshot{PollID: poll.ID, Totals: make(map[string]int64, len(poll.Options))}
	for _, opt := range poll.Options {
		n, err := p.Counts.Count(ctx, poll.ID, opt.ID)
		if err != nil {
			return err
		}
		snap.Totals[opt.ID] = n
		snap.Options = slices.Sorted(maps.Keys(snap.Totals))
		snap.Published = p.Clock().UTC()
		raw, err := json.Marshal(snap)
		if err != nil {
			return err
		}
		if err := p.Store.Put(ctx, key, raw, kvstore.WriteOptions{}); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// PublishAll writes one snapshot per poll from the authoritative totals. The
// scheduler calls it hourly.
func (p Publisher) PublishAll(ctx context.Context, polls []domain.Poll) error {
	var errs []error
	for _, poll := range polls {
		totals, err := p.Totals.Totals(ctx, poll.ID)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		snap := Snapshot{
			PollID:    poll.ID,
			Totals:    totals,
			Options:   slices.Sorted(maps.Keys(totals)),
			Published: p.Clock().UTC(),
		}
		raw, err := json.Marshal(snap)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if err := p.Store.Put(ctx, snapshotAt(poll.ID), raw, kvstore.WriteOptions{TTL: 2 * time.Hour}); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
