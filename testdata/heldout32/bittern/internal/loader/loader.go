//go:build js && wasm

// Package loader provides read-through caches in KV in front of the origin
// API.
package loader

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"bittern/internal/kvctx"
)

// Loader caches values of type V, identified by K, in the request's main KV
// store. Key maps an id to its KV key, Fetch loads the value from the source
// of truth on a miss, and TTL bounds how stale a cached value may get.
type Loader[K comparable, V any] struct {
	Key   func(K) string
	Fetch func(context.Context, K) (V, error)
	TTL   time.Duration
}

// Load returns the cached value for id, fetching and caching it on a miss.
// A value that no longer decodes is treated as a miss.
func (l *Loader[K, V]) Load(ctx context.Context, id K) (V, error) {
	s := kvctx.From(ctx)
	key := l.Key(id)
	var v V
	raw, ok, err := s.Lookup(ctx, key)
	if err != nil {
		return v, err
	}
	if ok {
		if err := json.Unmarshal([]byte(raw), &v); err == nil {
			return v, nil
		}
		slog.WarnContext(ctx, "loader: dropping undecodable entry", "key", key)
	}
	v, err = l.Fetch(ctx, id)
	if err != nil {
		return v, err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return v, err
	}
	if err := s.Put(ctx, key, string(b), l.TTL); err != nil {
		slog.WarnContext(ctx, "loader: cache fill failed", "key", key, "err", err)
	}
	return v, nil
}

// Forget drops the cached value for id after the source of truth changed.
func (l *Loader[K, V]) Forget(ctx context.Context, id K) error {
	return kvctx.From(ctx).Delete(ctx, l.Key(id))
}
