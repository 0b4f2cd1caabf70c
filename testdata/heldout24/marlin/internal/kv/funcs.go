package kv

import (
	"context"
	"fmt"
	"time"
)

// GetterFunc lets an ordinary function satisfy Getter.
type GetterFunc func(ctx context.Context, key string) ([]byte, error)

// Get calls f.
func (f GetterFunc) Get(ctx context.Context, key string) ([]byte, error) { return f(ctx, key) }

// Loader produces a value from the system of record (the database, the
// object store, an upstream HTTP API).
type Loader interface {
	Load(ctx context.Context, key string) ([]byte, error)
}

// LoaderFunc lets an ordinary function satisfy Loader.
type LoaderFunc func(ctx context.Context, key string) ([]byte, error)

// Load calls f.
func (f LoaderFunc) Load(ctx context.Context, key string) ([]byte, error) { return f(ctx, key) }

// FromGetter turns any Getter into a LoaderFunc.
func FromGetter(g Getter) LoaderFunc {
	return func(ctx context.Context, key string) ([]byte, error) { return g.Get(ctx, key) }
}

// ReadThrough returns a getter that serves from cache and falls back to src
// on a miss, writing the loaded value back with the given TTL. The TTL is
// raised to the KV minimum so that callers can pass short freshness hints.
func ReadThrough(cache Store, src Loader, ttl time.Duration) GetterFunc {
	ttl = ClampTTL(ttl)
	return func(ctx context.Context, key string) ([]byte, error) {
		b, err := cache.Get(ctx, key)
		if err == nil {
			return b, nil
		}
		if !IsNotFound(err) {
			return nil, fmt.Errorf("cache get %s: %w", key, err)
		}
		b, err = src.Load(ctx, key)
		if err != nil {
			return nil, err
		}
		if err := cache.Put(ctx, key, b, PutOptions{TTL: ttl}); err != nil {
			return nil, fmt.Errorf("cache fill %s: %w", key, err)
		}
		return b, nil
	}
}
