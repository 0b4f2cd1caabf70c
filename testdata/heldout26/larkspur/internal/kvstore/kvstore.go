// Package kvstore defines the key-value storage port shared by the edge
// worker and the backend services. Adapters live next to the runtime they
// talk to (Workers binding on the edge, REST API in the backend); the
// in-memory implementation in memkv backs local development and tests.
package kvstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// ErrNotFound is returned by Get when the key does not exist or has expired.
var ErrNotFound = errors.New("kvstore: key not found")

// KeyInfo describes one key returned by List. Values are never included.
type KeyInfo struct {
	Name       string
	Expiration time.Time
	Metadata   map[string]any
}

// Page is one page of a listing. Cursor is empty once Complete is true.
type Page struct {
	Keys     []KeyInfo
	Cursor   string
	Complete bool
}

// Store is the port every KV-backed component depends on.
type Store interface {
	Get(ctx context.Context, key string, opts ...Option) ([]byte, error)
	Put(ctx context.Context, key string, value []byte, opts ...Option) error
	Delete(ctx context.Context, key string) error
	List(ctx context.Context, prefix string, opts ...Option) (Page, error)
}

// Entry is one pair of a bulk write.
type Entry struct {
	Key      string
	Value    []byte
	TTL      time.Duration
	Metadata map[string]any
}

// Bulk is implemented by adapters that can write many pairs per request.
type Bulk interface {
	Store
	PutMany(ctx context.Context, entries []Entry, opts ...Option) error
}

// Save encodes v as JSON and writes it under its own key with its own
// lifetime. Extra options are applied after the record's TTL.
func Save[T interface {
	Key() string
	TTL() time.Duration
}](ctx context.Context, s Store, v T, opts ...Option) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("kvstore: encode %s: %w", v.Key(), err)
	}
	all := make([]Option, 0, len(opts)+1)
	if ttl := v.TTL(); ttl > 0 {
		all = append(all, WithTTL(ttl))
	}
	all = append(all, opts...)
	return s.Put(ctx, v.Key(), b, all...)
}

// Load reads key and decodes it as JSON into a T.
func Load[T any](ctx context.Context, s Store, key string, opts ...Option) (T, error) {
	var v T
	b, err := s.Get(ctx, key, opts...)
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return v, fmt.Errorf("kvstore: decode %s: %w", key, err)
	}
	return v, nil
}

// IsNotFound reports whether err means the key was missing.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
