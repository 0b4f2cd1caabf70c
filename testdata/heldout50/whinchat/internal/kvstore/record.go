package kvstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Save stores a record that knows its own key and lifetime.
func Save[T interface {
	Key() string
	TTL() time.Duration
}](ctx context.Context, s Space, v T) error {
	body, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %T: %w", v, err)
	}
	return s.Put(ctx, v.Key(), body, v.TTL())
}

// Load reads and decodes a JSON record. A missing key yields ErrNotFound.
func Load[T any](ctx context.Context, s Space, name string) (T, error) {
	var v T
	raw, err := s.Get(ctx, name)
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return v, fmt.Errorf("decode %s: %w", s.Key(name), err)
	}
	return v, nil
}

// LoaderFunc fetches the bytes stored under a name from some source of truth.
type LoaderFunc func(ctx context.Context, name string) ([]byte, error)

// Load calls f.
func (f LoaderFunc) Load(ctx context.Context, name string) ([]byte, error) { return f(ctx, name) }

// Through returns a loader that serves from s and falls back to f on a miss,
// storing what f returned for ttl.
func (f LoaderFunc) Through(s Space, ttl time.Duration) LoaderFunc {
	return func(ctx context.Context, name string) ([]byte, error) {
		v, err := s.Get(ctx, name)
		switch {
		case err == nil:
			return v, nil
		case !errors.Is(err, ErrNotFound):
			return nil, err
		}
		v, err = f(ctx, name)
		if err != nil {
			return nil, err
		}
		if err := s.Put(ctx, name, v, ttl); err != nil {
			slog.WarnContext(ctx, "cache fill failed", "key", s.Key(name), "err", err)
		}
		return v, nil
	}
}

// Or returns a loader that tries f and, when f fails for any reason other
// than cancellation, tries g.
func (f LoaderFunc) Or(g LoaderFunc) LoaderFunc {
	return func(ctx context.Context, name string) ([]byte, error) {
		v, err := f(ctx, name)
		if err == nil || ctx.Err() != nil {
			return v, err
		}
		return g(ctx, name)
	}
}

// From returns a loader reading straight from s without caching.
func From(s Space) LoaderFunc {
	return func(ctx context.Context, name string) ([]byte, error) { return s.Get(ctx, name) }
}
