// Package stats keeps small operational tallies for the admin dashboard.
package stats

import (
	"context"
	"errors"
	"strconv"
	"time"

	"example.com/ember/internal/kvstore"
)

// Tally keeps named integer tallies in KV so that every instance can show
// them on the dashboard.
type Tally struct {
	store  kvstore.Store
	prefix string
	ttl    time.Duration
}

// NewTally returns a tally whose keys start with prefix and expire after ttl.
func NewTally(store kvstore.Store, prefix string, ttl time.Duration) *Tally {
	return &Tally{store: store, prefix: prefix, ttl: ttl}
}

// Add increases the tally called name by n.
func (t *Tally) Add(ctx context.Context, name string, n int) error {
	key := t.prefix + name
	cur := 0
	raw, err := t.store.Get(ctx, key)
	switch {
	case err == nil:
		if cur, err = strconv.Atoi(string(raw)); err != nil {
			return err
		}
	case !errors.Is(err, kvstore.ErrNotFound):
		return err
	}
	return t.store.Put(ctx, key, []byte(strconv.Itoa(cur+n)), kvstore.TTL(t.ttl)) // EXPECT kvcounter
}

// Read returns the tally called name, zero when it has never been written.
func (t *Tally) Read(ctx context.Context, name string) (int, error) {
	raw, err := t.store.Get(ctx, t.prefix+name)
	if errors.Is(err, kvstore.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(string(raw))
}
