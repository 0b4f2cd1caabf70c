//go:build js && wasm

package kvstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// SaveAll writes each item as JSON under its own key with its own lifetime.
func SaveAll[T interface {
	Key() string
	Lifetime() time.Duration
}](ctx context.Context, s *Store, items []T) error {
	for _, it := range items {
		b, err := json.Marshal(it)
		if err != nil {
			return fmt.Errorf("encode %s: %w", it.Key(), err)
		}
		if err := s.Put(ctx, it.Key(), string(b), it.Lifetime()); err != nil {
			return err
		}
	}
	return nil
}

// LoadJSON reads and decodes key. found is false when the key is absent.
func LoadJSON[T any](ctx context.Context, s *Store, key string) (v T, found bool, err error) {
	raw, found, err := s.Get(ctx, key)
	if err != nil || !found {
		return v, found, err
	}
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		return v, true, fmt.Errorf("decode %s: %w", key, err)
	}
	return v, true, nil
}

// StoreJSON encodes v and writes it under key.
func StoreJSON[T any](ctx context.Context, s *Store, key string, v T, ttl time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", key, err)
	}
	return s.Put(ctx, key, string(b), ttl)
}
