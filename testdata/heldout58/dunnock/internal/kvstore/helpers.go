package kvstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// safely runs fn and turns a panic into an error.
func safely(fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("kvstore: recovered: %v", r)
		}
	}()
	return fn()
}

// Safely is the exported form of safely for the domain packages.
func Safely(fn func() error) error { return safely(fn) }

// TryGet reads key and reports whether it existed.
func TryGet(ctx context.Context, s Store, key string) ([]byte, bool, error) {
	b, err := s.Get(ctx, key)
	if errors.Is(err, ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return b, true, nil
}

// GetJSON decodes the JSON value under key into v.
func GetJSON(ctx context.Context, s Store, key string, v any) error {
	b, err := s.Get(ctx, key)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// PutJSON encodes v and writes it under key for ttl.
func PutJSON(ctx context.Context, s Store, key string, v any, ttl time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.Put(ctx, Entry{key, string(b), int(ttl.Seconds())})
}

// CacheJSON is PutJSON for cache entries; short lifetimes are raised to a minute.
func CacheJSON(ctx context.Context, s Store, key string, v any, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return PutJSON(ctx, s, key, v, ttl)
}

// Remove deletes key, ignoring a missing key.
func Remove(ctx context.Context, s Store, key string) error {
	return safely(func() error { return s.Delete(ctx, key) })
}

// ---- lifetimes derived from other sources ----

// UntilDeadline returns the time left on ctx, or fallback if it has none.
func UntilDeadline(ctx context.Context, fallback time.Duration) time.Duration {
	if deadline, ok := ctx.Deadline(); ok {
		return time.Until(deadline)
	}
	return fallback
}

// MaxAge parses the max-age directive of a Cache-Control header.
func MaxAge(h http.Header) (int, bool) {
	for directive := range strings.SplitSeq(h.Get("Cache-Control"), ",") {
		name, val, ok := strings.Cut(strings.TrimSpace(directive), "=")
		if !ok || !strings.EqualFold(name, "max-age") {
			continue
		}
		n, err := strconv.Atoi(val)
		if err != nil {
			return 0, false
		}
		return n, true
	}
	return 0, false
}

// ExpiresIn returns how long until the Expires header, if present.
func ExpiresIn(h http.Header) (time.Duration, bool) {
	t, err := http.ParseTime(h.Get("Expires"))
	if err != nil {
		return 0, false
	}
	return time.Until(t), true
}

// Mutate reads key, applies fn to the current value (nil when missing) and
// writes the result back with the given TTL in seconds.
func Mutate(ctx context.Context, s Store, key string, ttl int, fn func([]byte) ([]byte, error)) error {
	cur, _, err := TryGet(ctx, s, key)
	if err != nil {
		return err
	}
	next, err := fn(cur)
	if err != nil {
		return err
	}
	return s.Put(ctx, Entry{key, string(next), ttl}) // EXPECT kvrace
}
