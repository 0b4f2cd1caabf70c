package kvstore

import (
	"context"
	"errors"
	"time"
)

// Loader produces the bytes for a key from some source of truth.
type Loader interface {
	Load(ctx context.Context, key string) ([]byte, error)
}

// LoaderFunc adapts a function to Loader.
type LoaderFunc func(ctx context.Context, key string) ([]byte, error)

// Load calls f.
func (f LoaderFunc) Load(ctx context.Context, key string) ([]byte, error) { return f(ctx, key) }

// FromNamespace is a Loader that reads straight from a namespace.
func FromNamespace(ns string) LoaderFunc {
	return func(ctx context.Context, key string) ([]byte, error) {
		return GetBytes(ctx, ns, key)
	}
}

// ReadThrough returns the cached value for key, or loads it from origin and
// caches it for ttl (raised to the KV minimum).
func ReadThrough(ctx context.Context, ns, key string, ttl time.Duration, origin Loader) ([]byte, error) {
	raw, err := GetBytes(ctx, ns, key)
	if err == nil {
		return raw, nil
	}
	if !errors.Is(err, ErrMiss) {
		return nil, err
	}
	raw, err = origin.Load(ctx, key)
	if err != nil {
		return nil, err
	}
	if ttl < MinTTL {
		ttl = MinTTL
	}
	if err := PutBytes(ctx, ns, key, raw, ttl); err != nil {
		return nil, err
	}
	return raw, nil
}
