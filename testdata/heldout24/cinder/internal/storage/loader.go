package storage

import (
	"context"
	"time"
)

// Loader produces the bytes for a key from somewhere.
type Loader interface {
	Load(ctx context.Context, key string) ([]byte, error)
}

// LoaderFunc adapts a function to Loader, like http.HandlerFunc.
type LoaderFunc func(ctx context.Context, key string) ([]byte, error)

// Load calls f.
func (f LoaderFunc) Load(ctx context.Context, key string) ([]byte, error) { return f(ctx, key) }

// FromGetter turns a Getter into a LoaderFunc.
func FromGetter(g Getter) LoaderFunc { return g.Get }

// MinTTL is the shortest expiry the edge store accepts.
const MinTTL = time.Minute

// ClampTTL raises d to MinTTL. Zero means "no expiry" and is kept.
func ClampTTL(d time.Duration) time.Duration {
	if d == 0 {
		return 0
	}
	if d < MinTTL {
		d = MinTTL
	}
	return d
}

// ReadThrough returns a Loader that serves from cache and, on a miss, loads
// from origin and stores the result for ttl (clamped to MinTTL).
func ReadThrough(cache interface {
	Getter
	Putter
}, origin Loader, ttl time.Duration) LoaderFunc {
	ttl = ClampTTL(ttl)
	return func(ctx context.Context, key string) ([]byte, error) {
		b, err := cache.Get(ctx, key)
		if err == nil {
			return b, nil
		}
		if !IsNotFound(err) {
			return nil, err
		}
		b, err = origin.Load(ctx, key)
		if err != nil {
			return nil, err
		}
		if err := cache.Put(ctx, key, b, WithTTL(ttl)); err != nil {
			return b, nil // serving stale-free data matters more than caching it
		}
		return b, nil
	}
}
