package store

import (
	"context"
	"time"
)

// LoaderFunc adapts a function to the Getter interface, the way
// http.HandlerFunc adapts a function to http.Handler.
type LoaderFunc func(ctx context.Context, key string) ([]byte, error)

// Get calls f.
func (f LoaderFunc) Get(ctx context.Context, key string) ([]byte, error) { return f(ctx, key) }

// PutterFunc adapts a function to the Putter interface.
type PutterFunc func(ctx context.Context, key string, value []byte, opts PutOptions) error

// Put calls f.
func (f PutterFunc) Put(ctx context.Context, key string, value []byte, opts PutOptions) error {
	return f(ctx, key, value, opts)
}

// Fallback returns a LoaderFunc that tries primary first and, on a miss,
// asks secondary.
func Fallback(primary, secondary Getter) LoaderFunc {
	return func(ctx context.Context, key string) ([]byte, error) {
		b, err := primary.Get(ctx, key)
		if err == nil || !IsNotFound(err) {
			return b, err
		}
		return secondary.Get(ctx, key)
	}
}

// ReadThrough returns a LoaderFunc that serves from cache and fills it from
// origin on a miss. TTLs shorter than MinTTL are raised to MinTTL.
func ReadThrough(cache ReadWriter, origin Getter, ttl time.Duration) LoaderFunc {
	ttl = max(ttl, MinTTL)
	return func(ctx context.Context, key string) ([]byte, error) {
		if b, err := cache.Get(ctx, key); err == nil {
			return b, nil
		} else if !IsNotFound(err) {
			return nil, err
		}
		b, err := origin.Get(ctx, key)
		if err != nil {
			return nil, err
		}
		if err := cache.Put(ctx, key, b, PutOptions{TTL: ttl}); err != nil {
			return b, nil
		}
		return b, nil
	}
}

// Floored wraps a Putter so that no write carries a TTL under floor.
func Floored(p Putter, floor time.Duration) PutterFunc {
	return func(ctx context.Context, key string, value []byte, opts PutOptions) error {
		if opts.TTL > 0 && opts.TTL < floor {
			opts.TTL = floor
		}
		return p.Put(ctx, key, value, opts)
	}
}
