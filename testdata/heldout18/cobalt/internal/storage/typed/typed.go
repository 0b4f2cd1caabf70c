// Package typed layers JSON-encoded, validated values with typed keys over a
// byte-oriented storage.Store.
package typed

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"example.com/cobalt/internal/storage"
)

// Validator is implemented by value objects that can check themselves.
type Validator interface {
	Validate() error
}

// Store maps keys of type K to values of type V.
type Store[K ~string, V any] struct {
	raw    storage.Store
	prefix string
	ttl    time.Duration
	meta   func(V) map[string]any
}

// New returns a typed view of raw under prefix. A non-zero ttl is applied to
// every Put.
func New[K ~string, V any](raw storage.Store, prefix string, ttl time.Duration) *Store[K, V] {
	return &Store[K, V]{raw: raw, prefix: prefix, ttl: ttl}
}

// WithMetadata returns s with a function that derives list metadata from
// each value written.
func (s *Store[K, V]) WithMetadata(fn func(V) map[string]any) *Store[K, V] {
	c := *s
	c.meta = fn
	return &c
}

// Key returns the raw key for k.
func (s *Store[K, V]) Key(k K) string { return s.prefix + string(k) }

// Get decodes the value for k. A missing key yields storage.ErrNotFound and
// the zero V.
func (s *Store[K, V]) Get(ctx context.Context, k K) (V, error) {
	var v V
	raw, err := s.raw.Get(ctx, s.Key(k))
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return v, fmt.Errorf("typed: decode %s: %w", s.Key(k), err)
	}
	return v, nil
}

// Put validates and writes v under k with the store's TTL.
func (s *Store[K, V]) Put(ctx context.Context, k K, v V) error {
	return s.PutTTL(ctx, k, v, s.ttl)
}

// PutTTL validates and writes v under k with an explicit TTL.
func (s *Store[K, V]) PutTTL(ctx context.Context, k K, v V, ttl time.Duration) error {
	if val, ok := any(v).(Validator); ok {
		if err := val.Validate(); err != nil {
			return fmt.Errorf("typed: %s: %w", s.Key(k), err)
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	opts := storage.PutOptions{TTL: ttl}
	if s.meta != nil {
		opts.Metadata = s.meta(v)
	}
	return s.raw.Put(ctx, s.Key(k), b, opts)
}

// Delete removes k.
func (s *Store[K, V]) Delete(ctx context.Context, k K) error {
	return s.raw.Delete(ctx, s.Key(k))
}

// Page lists one page of keys under the store's prefix, with the prefix
// removed from each key.
func (s *Store[K, V]) Page(ctx context.Context, cursor string, limit int) ([]K, storage.Page, error) {
	page, err := s.raw.List(ctx, storage.ListOptions{Prefix: s.prefix, Cursor: cursor, Limit: limit})
	if err != nil {
		return nil, page, err
	}
	keys := make([]K, 0, len(page.Entries))
	for _, e := range page.Entries {
		keys = append(keys, K(e.Key[len(s.prefix):]))
	}
	return keys, page, nil
}
