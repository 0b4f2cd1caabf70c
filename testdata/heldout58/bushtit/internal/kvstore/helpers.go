package kvstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"time"
)

// LoadJSON reads key and decodes it into v. It reports whether the key existed.
func LoadJSON(ctx context.Context, s Store, key string, v any) (bool, error) {
	raw, err := s.Get(ctx, key)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, json.Unmarshal(raw, v)
}

// SaveJSON encodes v and writes it under key for ttl (zero: no expiry).
func SaveJSON(ctx context.Context, s Store, key string, v any, ttl time.Duration) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", key, err)
	}
	return s.Put(ctx, Entry{key, raw, int(ttl.Seconds()), 0})
}

// CacheJSON is SaveJSON for cache entries: it never writes a lifetime KV
// would refuse.
func CacheJSON(ctx context.Context, s Store, key string, v any, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.Put(ctx, Entry{key, raw, int(ttl.Seconds()), 0})
}

// Mutate reads key, hands the current value (nil if missing) to fn and writes
// back what fn returns.
func Mutate(ctx context.Context, s Store, key string, ttl time.Duration, fn func(old []byte) ([]byte, error)) error {
	old, err := s.Get(ctx, key)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	next, err := fn(old)
	if err != nil {
		return err
	}
	return s.Put(ctx, Entry{key, next, int(ttl.Seconds()), 0}) // EXPECT kvrace
}

// Safely runs fn and turns a panic into an error, so a bad payload in one
// background write cannot take the process down.
func Safely(fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("recovered: %v", r)
		}
	}()
	return fn()
}

// Try logs err with a label and reports whether it was nil.
func Try(label string, err error) bool {
	if err != nil {
		log.Printf("%s: %v", label, err)
		return false
	}
	return true
}

// Go runs fn in the background under Safely.
func Go(label string, fn func() error) {
	go func() { Try(label, Safely(fn)) }()
}
