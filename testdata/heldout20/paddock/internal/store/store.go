// Package store is the storage port used by the paddock domain packages. The
// production adapter lives in cfstore (Workers KV over the Cloudflare API); an
// in-memory fake lives in memstore.
package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"example.com/paddock/internal/apperr"
	"example.com/paddock/internal/codec"
)

// ErrNotFound is returned by Get when the key does not exist.
var ErrNotFound = fmt.Errorf("store: key %w", apperr.ErrNotFound)

// WriteOptions controls expiry and metadata of a written value.
type WriteOptions struct {
	// TTL expires the value after the given duration. Zero means no TTL.
	TTL time.Duration
	// ExpireAt expires the value at an absolute time. Ignored when TTL is set.
	ExpireAt time.Time
	// Metadata is stored next to the value and returned by List.
	Metadata any
}

// ListQuery selects one page of keys.
type ListQuery struct {
	Prefix string
	Cursor string
	Limit  int
}

// KeyInfo describes one listed key.
type KeyInfo struct {
	Name       string
	Expiration time.Time
	Metadata   json.RawMessage
}

// Page is one page of a listing. Cursor is empty on the last page.
type Page struct {
	Keys   []KeyInfo
	Cursor string
}

// Done reports whether there are no further pages.
func (p Page) Done() bool { return p.Cursor == "" }

// Store is the key-value port.
type Store interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, value []byte, opts WriteOptions) error
	Delete(ctx context.Context, key string) error
	List(ctx context.Context, q ListQuery) (Page, error)
}

// IsNotFound reports whether err means the key does not exist.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// Versioned wraps a value with the time it was last written.
type Versioned[T any] struct {
	Value     T         `json:"value"`
	UpdatedAt time.Time `json:"updated_at"`
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
func PutJSON[T any](ctx context.Context, s Store, key string, v T, opts WriteOptions) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("store: encode %s: %w", key, err)
	}
	return s.Put(ctx, key, b, opts)
}

// GetCount reads an 8-byte big-endian number.
func GetCount[N ~int64](ctx context.Context, s Store, key string) (N, error) {
	b, err := s.Get(ctx, key)
	if err != nil {
		return 0, err
	}
	n, err := codec.DecodeUint64(b)
	if err != nil {
		return 0, fmt.Errorf("store: %s: %w", key, err)
	}
	return N(n), nil
}

// PutCount writes an 8-byte big-endian number.
func PutCount[N ~int64](ctx context.Context, s Store, key string, n N, opts WriteOptions) error {
	return s.Put(ctx, key, codec.Uint64(uint64(n)), opts)
}
