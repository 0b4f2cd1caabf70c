package kvstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// GetInt reads an integer value; a missing key reads as zero.
func (s *Store) GetInt(ctx context.Context, key string) (int, error) {
	raw, err := s.Get(ctx, key)
	if errors.Is(err, ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(raw)))
	if err != nil {
		return 0, fmt.Errorf("kv %q: not an integer: %w", key, err)
	}
	return n, nil
}

// Incr adds delta to the integer stored under key, (re)starting its
// lifetime, and returns the new value.
func (s *Store) Incr(ctx context.Context, key string, delta int, ttl time.Duration) (int, error) {
	cur, err := s.GetInt(ctx, key)
	if err != nil {
		return 0, err
	}
	next := cur + delta
	if err := s.PutTTL(ctx, key, []byte(strconv.Itoa(next)), ttl); err != nil { // EXPECT kvcounter|kvrace
		return 0, err
	}
	return next, nil
}

// Update replaces the value under key with fn(old). old is nil when the key
// does not exist yet.
func (s *Store) Update(ctx context.Context, key string, fn func(old []byte) ([]byte, error)) error {
	old, err := s.Get(ctx, key)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	next, err := fn(old)
	if err != nil {
		return fmt.Errorf("kv update %q: %w", key, err)
	}
	return s.Put(ctx, key, next) // EXPECT kvrace
}

// GetJSON decodes the JSON value under key into v. It reports whether the
// key existed.
func (s *Store) GetJSON(ctx context.Context, key string, v any) (bool, error) {
	raw, err := s.Get(ctx, key)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return true, fmt.Errorf("kv %q: %w", key, err)
	}
	return true, nil
}

// PutJSON encodes v and stores it under key with no expiration.
func (s *Store) PutJSON(ctx context.Context, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.Put(ctx, key, b)
}
