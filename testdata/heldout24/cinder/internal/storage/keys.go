package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Key is a typed key family: every key built from it stores a T.
type Key[T any] struct{ prefix string }

// NewKey declares a key family under prefix.
func NewKey[T any](prefix string) Key[T] { return Key[T]{prefix: prefix} }

// For returns the concrete key for id.
func (k Key[T]) For(id string) string { return k.prefix + ":" + id }

// Prefix returns the listing prefix that matches every key of the family.
func (k Key[T]) Prefix() string { return k.prefix + ":" }

// ID strips the family prefix from a full key.
func (k Key[T]) ID(full string) string { return strings.TrimPrefix(full, k.Prefix()) }

// Get loads and decodes the value stored under id.
func (k Key[T]) Get(ctx context.Context, g Getter, id string) (T, error) {
	return Load[T](ctx, g, k.For(id))
}

// Set encodes and stores v under id.
func (k Key[T]) Set(ctx context.Context, p Putter, id string, v T, opts ...PutOption) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", k.prefix, err)
	}
	return p.Put(ctx, k.For(id), b, opts...)
}

// Keyed values know their own storage key.
type Keyed interface {
	StorageKey() string
}

// Save encodes v as JSON and writes it under v.StorageKey(). A zero ttl
// stores the value without expiry.
func Save[T Keyed](ctx context.Context, s Putter, v T, ttl time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %T: %w", v, err)
	}
	var opts []PutOption
	if ttl != 0 {
		opts = append(opts, WithTTL(ttl))
	}
	return s.Put(ctx, v.StorageKey(), b, opts...)
}

// Load reads and decodes the JSON value at key. It returns ErrNotFound
// unchanged so callers can branch on it.
func Load[T any](ctx context.Context, s Getter, key string) (T, error) {
	var zero T
	b, err := s.Get(ctx, key)
	if err != nil {
		return zero, err
	}
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		return zero, fmt.Errorf("decode %s: %w", key, err)
	}
	return v, nil
}
