// Package cached decorates a store.Store for values whose source of truth
// lives elsewhere (D1, the match service, ...): it offers a read-through
// helper and raises expiries the namespace would reject.
package cached

import (
	"context"
	"errors"
	"time"

	"example.com/paddock/internal/store"
)

// MinTTL is the shortest expiry the backing namespace accepts.
const MinTTL = time.Minute

// Store decorates a store.Store.
type Store struct {
	store.Store
}

// New wraps next.
func New(next store.Store) *Store { return &Store{Store: next} }

// Put implements store.Store. TTLs shorter than MinTTL are raised to MinTTL.
func (c *Store) Put(ctx context.Context, key string, value []byte, opts store.WriteOptions) error {
	if opts.TTL > 0 {
		opts.TTL = max(opts.TTL, MinTTL)
	}
	return c.Store.Put(ctx, key, value, opts)
}

// Fill loads a value from its source of truth.
type Fill func(ctx context.Context) ([]byte, error)

// ReadThrough returns the stored value for key, or calls fill on a miss and
// stores the result for ttl.
func (c *Store) ReadThrough(ctx context.Context, key string, ttl time.Duration, fill Fill) ([]byte, error) {
	v, err := c.Get(ctx, key)
	if err == nil {
		return v, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	v, err = fill(ctx)
	if err != nil {
		return nil, err
	}
	if err := c.Put(ctx, key, v, store.WriteOptions{TTL: ttl}); err != nil {
		return nil, err
	}
	return v, nil
}
