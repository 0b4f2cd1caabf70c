// Package store defines the key-value storage port used by every service,
// together with small generic helpers built on top of it. Adapters for the
// Workers KV binding, the Cloudflare REST API and memory live elsewhere.
package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// ErrNotFound is returned by Get when the key has no value.
var ErrNotFound = errors.New("store: key not found")

// PutOptions controls the lifetime and metadata of a written value.
type PutOptions struct {
	// TTL expires the value this long after the write. Zero keeps it forever.
	TTL time.Duration
	// ExpireAt expires the value at an absolute time. Ignored when TTL is set.
	ExpireAt time.Time
	// Meta is small JSON metadata stored next to the value where the backend
	// supports it.
	Meta map[string]any
}

// ListOptions selects one page of keys.
type ListOptions struct {
	Prefix string
	Cursor string
	Limit  int
}

// KeyInfo describes a listed key.
type KeyInfo struct {
	Name       string
	Expiration time.Time
	Meta       map[string]any
}

// Page is one page of a key listing.
type Page struct {
	Keys     []KeyInfo
	Cursor   string
	Complete bool
}

// Store is the storage port.
type Store interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, value []byte, opts PutOptions) error
	Delete(ctx context.Context, key string) error
	List(ctx context.Context, opts ListOptions) (Page, error)
}

// GetJSON reads and decodes a JSON value.
func GetJSON[T any](ctx context.Context, s Store, key string) (T, error) {
	var v T
	b, err := s.Get(ctx, key)
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return v, fmt.Errorf("store: decode %s: %w", key, err)
	}
	return v, nil
}

// PutJSON encodes and writes a JSON value.
func PutJSON[T any](ctx context.Context, s Store, key string, v T, opts PutOptions) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("store: encode %s: %w", key, err)
	}
	return s.Put(ctx, key, b, opts)
}

// Update loads the JSON value at key (the zero value when missing), lets fn
// change it and writes it back.
func Update[T any](ctx context.Context, s Store, key string, fn func(*T) error) error {
	v, err := GetJSON[T](ctx, s, key)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	if err := fn(&v); err != nil {
		return err
	}
	return PutJSON(ctx, s, key, v, PutOptions{}) // EXPECT kvrace
}

// Exists reports whether key has a value.
func Exists(ctx context.Context, s Store, key string) (bool, error) {
	_, err := s.Get(ctx, key)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, ErrNotFound):
		return false, nil
	default:
		return false, err
	}
}

// MinTTL is the shortest lifetime the KV backends accept.
const MinTTL = time.Minute

// Floor raises d to MinTTL. Zero (no expiry) is left alone.
func Floor(d time.Duration) time.Duration {
	if d == 0 {
		return 0
	}
	return max(d, MinTTL)
}
