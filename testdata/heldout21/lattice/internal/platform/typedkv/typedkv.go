// Package typedkv layers typed, JSON-encoded values over the kvstore port.
package typedkv

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"strings"
	"time"

	"example.com/lattice/internal/platform/kvstore"
)

// Store holds values of type V under keys of type K, all below one prefix.
type Store[K ~string, V any] struct {
	backend kvstore.Store
	prefix  string
}

// New returns a typed view of backend below prefix.
func New[K ~string, V any](backend kvstore.Store, prefix string) Store[K, V] {
	return Store[K, V]{backend: backend, prefix: prefix}
}

// Pair is one key with its decoded value.
type Pair[K ~string, V any] struct {
	Key   K
	Value V
}

// Key returns the raw KV key for k.
func (s Store[K, V]) Key(k K) string { return s.prefix + string(k) }

func (s Store[K, V]) fromKey(name string) K { return K(strings.TrimPrefix(name, s.prefix)) }

// Get returns the value for k, or kvstore.ErrNotFound.
func (s Store[K, V]) Get(ctx context.Context, k K) (V, error) {
	var v V
	raw, err := s.backend.Get(ctx, s.Key(k))
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return v, fmt.Errorf("typedkv: decode %s: %w", s.Key(k), err)
	}
	return v, nil
}

// Lookup is Get with the miss folded into found.
func (s Store[K, V]) Lookup(ctx context.Context, k K) (v V, found bool, err error) {
	v, err = s.Get(ctx, k)
	switch {
	case kvstore.IsNotFound(err):
		return v, false, nil
	case err != nil:
		return v, false, err
	}
	return v, true, nil
}

// GetMany fetches each key in turn and returns the ones that exist.
func (s Store[K, V]) GetMany(ctx context.Context, keys []K) ([]Pair[K, V], error) {
	out := make([]Pair[K, V], 0, len(keys))
	for _, k := range keys {
		v, found, err := s.Lookup(ctx, k)
		if err != nil {
			return nil, err
		}
		if found {
			out = append(out, Pair[K, V]{Key: k, Value: v})
		}
	}
	return out, nil
}

// Put stores v under k. A positive ttl expires it.
func (s Store[K, V]) Put(ctx context.Context, k K, v V, ttl time.Duration, opts ...kvstore.Option) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("typedkv: encode %s: %w", s.Key(k), err)
	}
	if ttl > 0 {
		opts = append(opts, kvstore.TTL(ttl))
	}
	return s.backend.Put(ctx, s.Key(k), raw, opts...)
}

// Delete removes k.
func (s Store[K, V]) Delete(ctx context.Context, k K) error {
	return s.backend.Delete(ctx, s.Key(k))
}

// Pages yields the keys below the store's prefix one page at a time,
// following the cursor. The consumer decides when to stop.
func (s Store[K, V]) Pages(ctx context.Context, pageSize int) iter.Seq2[[]K, error] {
	return func(yield func([]K, error) bool) {
		q := kvstore.ListQuery{}.WithPrefix(s.prefix).WithLimit(pageSize)
		for {
			page, err := s.backend.List(ctx, q)
			if err != nil {
				yield(nil, err)
				return
			}
			keys := make([]K, len(page.Keys))
			for i, k := range page.Keys {
				keys[i] = s.fromKey(k.Name)
			}
			if !yield(keys, nil) || page.Complete() {
				return
			}
			q = q.WithCursor(page.Cursor)
		}
	}
}
