package kv

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Key is a typed key family: every key it produces holds a JSON-encoded T.
type Key[T any] struct{ prefix string }

// NewKey returns a key family rooted at prefix.
func NewKey[T any](prefix string) Key[T] { return Key[T]{prefix: prefix} }

// For returns the storage key of id.
func (k Key[T]) For(id string) string { return k.prefix + id }

// Prefix returns the family's prefix, for listing.
func (k Key[T]) Prefix() string { return k.prefix }

// ID strips the family prefix from a full storage key.
func (k Key[T]) ID(key string) string { return strings.TrimPrefix(key, k.prefix) }

// Read loads and decodes the value stored for id.
func (k Key[T]) Read(ctx context.Context, g Getter, id string) (T, error) {
	return Load[T](ctx, g, k.For(id))
}

// Write encodes v and stores it for id.
func (k Key[T]) Write(ctx context.Context, p Putter, id string, v T, opts PutOptions) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", k.For(id), err)
	}
	return p.Put(ctx, k.For(id), b, opts)
}

// Keyed is implemented by values that know their own storage key.
type Keyed interface {
	StorageKey() string
}

// Save stores v under its own key with the given TTL.
func Save[T Keyed](ctx context.Context, s Putter, v T, ttl time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", v.StorageKey(), err)
	}
	return s.Put(ctx, v.StorageKey(), b, PutOptions{TTL: ttl})
}

// Load decodes the JSON value at key. A missing key yields ErrNotFound.
func Load[T any](ctx context.Context, s Getter, key string) (T, error) {
	var v T
	b, err := s.Get(ctx, key)
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return v, fmt.Errorf("decode %s: %w", key, err)
	}
	return v, nil
}

// Update applies fn to the value at key (the zero value when absent) and
// writes the result back.
func Update[T any](ctx context.Context, s Store, key string, opts PutOptions, fn func(*T) error) error {
	v, err := Load[T](ctx, s, key)
	if err != nil && !IsNotFound(err) {
		return err
	}
	if err := fn(&v); err != nil {
		return err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.Put(ctx, key, b, opts) // EXPECT kvrace
}
