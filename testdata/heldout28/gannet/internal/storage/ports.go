// Package storage defines the ports the back-office services use to reach
// the key-value store, a generic repository on top of them, and an
// in-memory implementation for local development.
package storage

import (
	"context"
	"time"
)

// PutOptions controls expiry and metadata of a write.
type PutOptions struct {
	// TTL is relative to now. Zero means no relative expiry.
	TTL time.Duration
	// ExpiresAt is an absolute expiry. Ignored when TTL is set.
	ExpiresAt time.Time
	// Metadata is stored next to the value and returned by List.
	Metadata map[string]string
}

// ListRequest selects one page of keys.
type ListRequest struct {
	Prefix string
	Cursor string
	Limit  int
}

// ListedKey is one key of a list page.
type ListedKey struct {
	Name       string
	Expiration time.Time
	Metadata   map[string]string
}

// ListPage is one page of keys and where to continue.
type ListPage struct {
	Keys     []ListedKey
	Cursor   string
	Complete bool
}

// Reader reads single values.
type Reader interface {
	// Get returns the value and whether the key exists.
	Get(ctx context.Context, key string) ([]byte, bool, error)
}

// Writer writes and deletes single values.
type Writer interface {
	Put(ctx context.Context, key string, value []byte, opts PutOptions) error
	Delete(ctx context.Context, key string) error
}

// Lister lists keys one page at a time.
type Lister interface {
	List(ctx context.Context, req ListRequest) (ListPage, error)
}

// KV is the full single-namespace port.
type KV interface {
	Reader
	Writer
	Lister
}

// Pair is one entry of a bulk write.
type Pair struct {
	Key      string
	Value    []byte
	TTL      time.Duration
	Metadata map[string]string
}

// Bulk is implemented by stores that can write and read many keys at once.
type Bulk interface {
	BulkPut(ctx context.Context, pairs []Pair) error
	BulkGet(ctx context.Context, keys []string) (map[string][]byte, error)
	BulkDelete(ctx context.Context, keys []string) error
}
