// Package feeds serves rendered podcast feeds and episode status to the
// API, caching them in Workers KV.
package feeds

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"ptarmigan/internal/kvstore"
)

// ErrNoFeed is returned by loaders when the show has no public feed.
var ErrNoFeed = errors.New("feeds: no such feed")

// LoaderFunc loads the document for key from somewhere slower than KV.
type LoaderFunc func(ctx context.Context, key string) ([]byte, error)

// Load calls f.
func (f LoaderFunc) Load(ctx context.Context, key string) ([]byte, error) { return f(ctx, key) }

// Cached answers from s when the key is there and otherwise calls f and
// stores its answer for ttl.
func (f LoaderFunc) Cached(s kvstore.Scope, ttl time.Duration) LoaderFunc {
	return func(ctx context.Context, key string) ([]byte, error) {
		b, err := s.Get(ctx, key)
		if err == nil {
			return b, nil
		}
		if !errors.Is(err, kvstore.ErrNotFound) {
			slog.Warn("feeds: cache read failed, loading from origin", "key", s.Key(key), "err", err)
		}
		b, err = f(ctx, key)
		if err != nil {
			return nil, err
		}
		if err := s.Put(ctx, key, b, ttl); err != nil {
			slog.Warn("feeds: cache write failed", "key", s.Key(key), "err", err)
		}
		return b, nil
	}
}

// RememberMisses stores a marker under s for negTTL whenever f reports
// ErrNoFeed, and answers ErrNoFeed from the marker until it expires.
func (f LoaderFunc) RememberMisses(s kvstore.Scope, negTTL time.Duration) LoaderFunc {
	return func(ctx context.Context, key string) ([]byte, error) {
		if _, err := s.Get(ctx, key); err == nil {
			return nil, ErrNoFeed
		}
		b, err := f(ctx, key)
		if errors.Is(err, ErrNoFeed) {
			if perr := s.Put(ctx, key, []byte("1"), negTTL); perr != nil {
				slog.Warn("feeds: negative cache write failed", "key", s.Key(key), "err", perr)
			}
		}
		return b, err
	}
}

// Fallback keeps the last good answer of f under s and serves it when f
// fails for any reason other than the feed not existing.
func (f LoaderFunc) Fallback(s kvstore.Scope) LoaderFunc {
	return func(ctx context.Context, key string) ([]byte, error) {
		b, err := f(ctx, key)
		if err == nil {
			if perr := s.Put(ctx, key, b, 30*24*time.Hour); perr != nil {
				slog.Warn("feeds: last-good write failed", "key", s.Key(key), "err", perr)
			}
			return b, nil
		}
		if last, lerr := s.Get(ctx, key); lerr == nil && !errors.Is(err, ErrNoFeed) {
			slog.Info("feeds: serving last good copy", "key", s.Key(key), "cause", err)
			return last, nil
		}
		return nil, err
	}
}
