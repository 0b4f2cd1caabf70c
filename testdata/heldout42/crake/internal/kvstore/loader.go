//go:build js && wasm

package kvstore

import (
	"context"
	"time"
)

// Loader fetches the bytes for a key from somewhere.
type Loader interface {
	Load(ctx context.Context, key string) ([]byte, error)
}

// LoaderFunc adapts an ordinary function to Loader.
type LoaderFunc func(ctx context.Context, key string) ([]byte, error)

// Load calls f(ctx, key).
func (f LoaderFunc) Load(ctx context.Context, key string) ([]byte, error) { return f(ctx, key) }

// ReadThrough serves keys from KV and falls back to Source on a miss,
// storing what Source returned for TTL.
type ReadThrough struct {
	Store  *Store
	Source Loader
	TTL    time.Duration
}

// Load implements Loader.
func (rt ReadThrough) Load(ctx context.Context, key string) ([]byte, error) {
	if v, ok, err := rt.Store.Get(ctx, key); err == nil && ok {
		return []byte(v), nil
	}
	b, err := rt.Source.Load(ctx, key)
	if err != nil {
		return nil, err
	}
	if err := rt.Store.PutString(ctx, key, string(b), rt.TTL); err != nil {
		return b, nil // serve the origin copy; the next request retries the fill
	}
	return b, nil
}
