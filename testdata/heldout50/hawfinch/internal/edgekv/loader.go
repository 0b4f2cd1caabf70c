//go:build js && wasm

package edgekv

import (
	"context"
	"errors"
	"log"
	"time"
)

// LoaderFunc produces the bytes for key from somewhere slower than KV.
type LoaderFunc func(ctx context.Context, key string) ([]byte, error)

// Load calls f.
func (f LoaderFunc) Load(ctx context.Context, key string) ([]byte, error) {
	return f(ctx, key)
}

// Cached serves key from s when present and otherwise stores what f
// produced for ttl before returning it.
func (f LoaderFunc) Cached(s Scope, ttl time.Duration) LoaderFunc {
	return func(ctx context.Context, key string) ([]byte, error) {
		if v, ok, err := s.Lookup(key, 0); err == nil && ok {
			return []byte(v), nil
		}
		b, err := f(ctx, key)
		if err != nil {
			return nil, err
		}
		if err := s.Put(key, string(b), ttl); err != nil {
			log.Printf("edgekv: cache fill %s: %v", s.Key(key), err)
		}
		return b, nil
	}
}

// Or falls back to g when f fails for any reason other than cancellation.
func (f LoaderFunc) Or(g LoaderFunc) LoaderFunc {
	return func(ctx context.Context, key string) ([]byte, error) {
		b, err := f(ctx, key)
		if err == nil || errors.Is(err, context.Canceled) {
			return b, err
		}
		return g(ctx, key)
	}
}

// FromKV reads key from s; a missing key is an error so that Or can fall back.
func FromKV(s Scope, cacheTTL int) LoaderFunc {
	return func(_ context.Context, key string) ([]byte, error) {
		v, ok, err := s.Lookup(key, cacheTTL)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, ErrMiss
		}
		return []byte(v), nil
	}
}

// ErrMiss reports a key that is not in KV.
var ErrMiss = errors.New("edgekv: miss")
