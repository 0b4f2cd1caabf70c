// Package repo provides a generic JSON repository over the kvstore port that
// concrete repositories embed.
package repo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"example.com/bellwether/internal/kvstore"
)

// Config configures a Base.
type Config struct {
	Prefix string
	TTL    time.Duration
	// ScanLimit caps how many records Scan returns.
	ScanLimit int
}

// WithTTL sets the expiry applied by Save.
func WithTTL(d time.Duration) kvstore.Option[Config] {
	return func(c *Config) { c.TTL = d }
}

// WithScanLimit caps Scan.
func WithScanLimit(n int) kvstore.Option[Config] {
	return func(c *Config) { c.ScanLimit = n }
}

// Base stores values of T as JSON under prefix+id.
type Base[T any] struct {
	store kvstore.Store
	cfg   Config
}

// NewBase returns a Base for T under prefix.
func NewBase[T any](s kvstore.Store, prefix string, opts ...kvstore.Option[Config]) *Base[T] {
	cfg := kvstore.Apply(Config{Prefix: prefix, ScanLimit: 500}, opts...)
	return &Base[T]{store: s, cfg: cfg}
}

// Store exposes the underlying store to embedding repositories.
func (b *Base[T]) Store() kvstore.Store { return b.store }

// Key returns the storage key for id.
func (b *Base[T]) Key(id string) string { return b.cfg.Prefix + id }

// Find loads id. ok is false when there is no such record.
func (b *Base[T]) Find(ctx context.Context, id string) (v T, ok bool, err error) {
	raw, err := b.store.Get(ctx, b.Key(id))
	if errors.Is(err, kvstore.ErrNotFound) {
		return v, false, nil
	}
	if err != nil {
		return v, false, err
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return v, false, fmt.Errorf("repo: decode %s: %w", b.Key(id), err)
	}
	return v, true, nil
}

// Save writes v under id with the configured TTL.
func (b *Base[T]) Save(ctx context.Context, id string, v T) error {
	return b.SaveFor(ctx, id, v, b.cfg.TTL)
}

// SaveFor writes v under id expiring after ttl (zero keeps it forever).
func (b *Base[T]) SaveFor(ctx context.Context, id string, v T, ttl time.Duration) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("repo: encode %s: %w", b.Key(id), err)
	}
	if ttl <= 0 {
		return b.store.Put(ctx, b.Key(id), raw)
	}
	if ts, ok := b.store.(kvstore.TTLSetter); ok {
		return ts.PutTTL(ctx, b.Key(id), raw, ttl)
	}
	return b.store.Put(ctx, b.Key(id), raw, kvstore.WithTTL(ttl))
}

// Delete removes id.
func (b *Base[T]) Delete(ctx context.Context, id string) error {
	return b.store.Delete(ctx, b.Key(id))
}

// Update loads id (or starts from the zero value), applies fn and saves the
// result.
func (b *Base[T]) Update(ctx context.Context, id string, fn func(*T) error) (T, error) {
	v, _, err := b.Find(ctx, id)
	if err != nil {
		return v, err
	}
	if err := fn(&v); err != nil {
		return v, err
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return v, err
	}
	return v, b.store.Put(ctx, b.Key(id), raw, kvstore.WithTTL(b.cfg.TTL)) // EXPECT kvrace
}

// Scan returns up to ScanLimit records, read in bulk.
func (b *Base[T]) Scan(ctx context.Context) ([]T, error) {
	keys, err := kvstore.Collect(kvstore.Keys(ctx, b.store, b.cfg.Prefix), b.cfg.ScanLimit)
	if err != nil {
		return nil, err
	}
	raws, err := kvstore.GetMany(ctx, b.store, keys)
	if err != nil {
		return nil, err
	}
	out := make([]T, 0, len(raws))
	for _, k := range keys {
		raw, ok := raws[k]
		if !ok {
			continue
		}
		var v T
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, fmt.Errorf("repo: decode %s: %w", k, err)
		}
		out = append(out, v)
	}
	return out, nil
}
