// Package cache provides read-through caches kept in Workers KV in front of
// the Postgres database, which stays the source of truth.
package cache

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"godwit/internal/kvstore"
)

// Loader caches values of type V under keys derived from K.
type Loader[K comparable, V any] struct {
	Store kvstore.Store
	Key   func(K) string
	Fetch func(ctx context.Context, k K) (V, error)
	TTL   time.Duration
}

// Get returns the cached value for k, fetching and caching it on a miss.
func (l *Loader[K, V]) Get(ctx context.Context, k K) (V, error) {
	var v V
	key := l.Key(k)
	raw, err := l.Store.Get(ctx, key)
	switch {
	case err == nil:
		if jerr := json.Unmarshal(raw, &v); jerr == nil {
			return v, nil
		}
	case !errors.Is(err, kvstore.ErrNotFound):
		return v, fmt.Errorf("cache %s: %w", key, err)
	}
	v, err = l.Fetch(ctx, k)
	if err != nil {
		return v, err
	}
	if out, err := json.Marshal(v); err == nil {
		if err := l.Store.Put(ctx, key, out, kvstore.PutOptions{TTL: l.TTL}); err != nil {
			return v, fmt.Errorf("cache %s: fill: %w", key, err)
		}
	}
	return v, nil
}

// Forget drops the cached value for k after the source changed.
func (l *Loader[K, V]) Forget(ctx context.Context, k K) error {
	return l.Store.Delete(ctx, l.Key(k))
}
