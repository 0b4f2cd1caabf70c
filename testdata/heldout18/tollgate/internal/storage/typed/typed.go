// Package typed layers JSON-encoded, validated values over the byte-oriented
// storage port.
package typed

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"example.com/tollgate/internal/storage"
)

// Validator is implemented by value objects that can check themselves.
type Validator interface {
	Validate() error
}

// Store maps keys of type K to JSON values of type V under a fixed prefix.
type Store[K ~string, V any] struct {
	raw    storage.Store
	prefix string
}

// New returns a typed view of raw. Keys are written as prefix+string(k).
func New[K ~string, V any](raw storage.Store, prefix string) *Store[K, V] {
	return &Store[K, V]{raw: raw, prefix: prefix}
}

// Key returns the storage key for k.
func (s *Store[K, V]) Key(k K) string { return s.prefix + string(k) }

// Get decodes the value for k. A missing key yields storage.ErrNotFound.
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

func validate[V any](v *V) error {
	if val, ok := any(*v).(Validator); ok {
		return val.Validate()
	}
	if val, ok := any(v).(Validator); ok {
		return val.Validate()
	}
	return nil
}

// Put validates and stores v. A positive ttl sets a relative expiry.
func (s *Store[K, V]) Put(ctx context.Context, k K, v V, ttl time.Duration) error {
	return s.PutMeta(ctx, k, v, ttl, nil)
}

// PutMeta is Put with key metadata attached.
func (s *Store[K, V]) PutMeta(ctx context.Context, k K, v V, ttl time.Duration, md map[string]any) error {
	if err := validate(&v); err != nil {
		return fmt.Errorf("typed: %s: %w", s.Key(k), err)
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	opts := storage.PutOptions{Metadata: md}
	if ttl > 0 {
		opts.ExpirationTTL = int64(ttl.Seconds())
	}
	return s.raw.Put(ctx, s.Key(k), raw, opts)
}

// Delete removes k.
func (s *Store[K, V]) Delete(ctx context.Context, k K) error {
	return s.raw.Delete(ctx, s.Key(k))
}

// Mutate loads the value for k (or the zero value when absent), applies fn
// and stores the result.
func (s *Store[K, V]) Mutate(ctx context.Context, k K, ttl time.Duration, fn func(*V) error) error {
	cur, err := s.Get(ctx, k)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	if err := fn(&cur); err != nil {
		return err
	}
	return s.Put(ctx, k, cur, ttl) // EXPECT kvrace
}
