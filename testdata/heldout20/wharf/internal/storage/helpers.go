package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// GetJSON reads key and decodes it as JSON into a T. A missing key returns
// an error wrapping ErrNotFound.
func GetJSON[T any](ctx context.Context, r Reader, key string) (T, error) {
	var out T
	raw, err := r.Get(ctx, key)
	if err != nil {
		return out, err
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return out, fmt.Errorf("decode %q: %w", key, err)
	}
	return out, nil
}

// PutJSON encodes v as JSON and writes it to key.
func PutJSON[T any](ctx context.Context, w Writer, key string, v T, opts PutOptions) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %q: %w", key, err)
	}
	return w.Put(ctx, key, raw, opts)
}

// PutTTL writes value with a relative expiry.
func PutTTL(ctx context.Context, w Writer, key string, value []byte, ttl time.Duration) error {
	return w.Put(ctx, key, value, PutOptions{TTL: ttl})
}

// PutCached writes a cache entry that lives for ttl, never less than MinTTL.
func PutCached(ctx context.Context, w Writer, key string, value []byte, ttl time.Duration) error {
	if ttl < MinTTL {
		ttl = MinTTL
	}
	return w.Put(ctx, key, value, PutOptions{TTL: ttl})
}

// Mutate loads the Versioned[T] at key (a zero T when missing), lets fn
// change it, and writes it back with the version bumped.
func Mutate[T any](ctx context.Context, s Store, key string, ttl time.Duration, fn func(*T) error) (Versioned[T], error) {
	var cur Versioned[T]
	raw, err := s.Get(ctx, key)
	switch {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		return cur, err
	default:
		if err := json.Unmarshal(raw, &cur); err != nil {
			return cur, fmt.Errorf("mutate %q: %w", key, err)
		}
	}
	if err := fn(&cur.Value); err != nil {
		return cur, err
	}
	cur.Version++
	cur.UpdatedAt = time.Now().UTC()
	next, err := json.Marshal(cur)
	if err != nil {
		return cur, fmt.Errorf("mutate %q: %w", key, err)
	}
	if err := s.Put(ctx, key, next, PutOptions{TTL: ttl}); err != nil { // EXPECT kvrace
		return cur, fmt.Errorf("mutate %q: %w", key, err)
	}
	return cur, nil
}

// Incr adds delta to the packed integer at key and returns the new value.
func Incr[N ~int64](ctx context.Context, s Store, key string, delta N, ttl time.Duration) (N, error) {
	var cur N
	raw, err := s.Get(ctx, key)
	switch {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		return 0, err
	default:
		v, err := UnpackInt(raw)
		if err != nil {
			return 0, fmt.Errorf("incr %q: %w", key, err)
		}
		cur = N(v)
	}
	next := cur + delta
	if err := s.Put(ctx, key, PackInt(int64(next)), PutOptions{TTL: ttl}); err != nil { // EXPECT kvcounter
		return 0, fmt.Errorf("incr %q: %w", key, err)
	}
	return next, nil
}

// ReadInt reads a packed integer, returning def when the key is missing.
func ReadInt[N ~int64](ctx context.Context, r Reader, key string, def N) (N, error) {
	raw, err := r.Get(ctx, key)
	if errors.Is(err, ErrNotFound) {
		return def, nil
	}
	if err != nil {
		return 0, err
	}
	v, err := UnpackInt(raw)
	if err != nil {
		return 0, fmt.Errorf("read int %q: %w", key, err)
	}
	return N(v), nil
}

// ScanAll returns every key under prefix.
func ScanAll(ctx context.Context, r Reader, prefix string) ([]Entry, error) {
	var (
		out    []Entry
		cursor string
	)
	for {
		page, err := r.List(ctx, ListQuery{Prefix: prefix, Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return out, err
		}
		out = append(out, page.Entries...)
		if page.Complete {
			return out, nil
		}
		cursor = page.Cursor
	}
}
