package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Keyed is implemented by records that know their own storage key.
type Keyed interface {
	StorageKey() string
}

// Save encodes v as JSON and writes it under v.StorageKey().
func Save[T Keyed](ctx context.Context, p Putter, v T, ttl time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", v.StorageKey(), err)
	}
	return p.Put(ctx, v.StorageKey(), b, PutOptions{TTL: ttl})
}

// SaveUntil writes v so that it expires at the given instant.
func SaveUntil[T Keyed](ctx context.Context, p Putter, v T, at time.Time) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", v.StorageKey(), err)
	}
	return p.Put(ctx, v.StorageKey(), b, PutOptions{ExpireAt: at})
}

// Load reads and decodes the JSON value stored under key.
func Load[T any](ctx context.Context, g Getter, key string) (T, error) {
	var v T
	b, err := g.Get(ctx, key)
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return v, fmt.Errorf("decode %s: %w", key, err)
	}
	return v, nil
}

// LoadOr is Load with a default for missing keys.
func LoadOr[T any](ctx context.Context, g Getter, key string, def T) (T, error) {
	v, err := Load[T](ctx, g, key)
	if IsNotFound(err) {
		return def, nil
	}
	return v, err
}
