// Package kvstore adapts the Cloudflare Workers KV REST APIs used by the
// Fulmar backend to a small Store interface, and provides the layers
// (namespacing, TTL policy, retry, metrics, read caching) that the services
// stack on top of it.
package kvstore

import (
	"context"
	"errors"
	"slices"
	"time"
)

// ErrNotFound is returned by Get when the key does not exist.
var ErrNotFound = errors.New("kvstore: key not found")

// Entry is one value to write. TTL is in seconds; zero means no expiry.
type Entry struct {
	Key   string
	Value []byte
	TTL   int
}

// Page is one page of a key listing.
type Page struct {
	Keys     []string
	Cursor   string
	Complete bool
}

// Store is the minimal KV surface the services use.
type Store interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, e Entry) error
	PutMany(ctx context.Context, es []Entry) error
	Delete(ctx context.Context, key string) error
	List(ctx context.Context, prefix, cursor string, limit int) (Page, error)
}

// Layer wraps a Store with extra behaviour.
type Layer func(Store) Store

// Stack applies layers so that the first layer in the slice is the
// outermost one seen by callers.
func Stack(base Store, layers ...Layer) Store {
	s := base
	for _, l := range slices.Backward(layers) {
		s = l(s)
	}
	return s
}

// Seconds converts a duration to the whole seconds KV expects.
func Seconds(d time.Duration) int {
	return int(d.Seconds())
}

// PutFor writes value under key with a lifetime given as a duration.
func PutFor(ctx context.Context, s Store, key string, value []byte, ttl time.Duration) error {
	return s.Put(ctx, Entry{key, value, Seconds(ttl)})
}

// PutAtLeastMinute writes value under key, never with a lifetime shorter than
// the one KV accepts.
func PutAtLeastMinute(ctx context.Context, s Store, key string, value []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return s.Put(ctx, Entry{Key: key, Value: value, TTL: int(ttl.Seconds())})
}

// Update reads key, applies fn and writes the result back with ttl seconds.
// A missing key is passed to fn as nil.
func Update(ctx context.Context, s Store, key string, ttl int, fn func(old []byte) ([]byte, error)) error {
	old, err := s.Get(ctx, key)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	next, err := fn(old)
	if err != nil {
		return err
	}
	return s.Put(ctx, Entry{key, next, ttl}) // EXPECT kvrace
}

// GetOr returns the value stored under key, or load()'s result, which is then
// written back with ttl seconds.
func GetOr(ctx context.Context, s Store, key string, ttl int, load func(context.Context) ([]byte, error)) ([]byte, error) {
	v, err := s.Get(ctx, key)
	if err == nil {
		return v, nil
	}
	if !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	v, err = load(ctx)
	if err != nil {
		return nil, err
	}
	return v, s.Put(ctx, Entry{key, v, ttl})
}
