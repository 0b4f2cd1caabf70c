// Package store is the storage port of kestrel's domain packages. The
// production adapter (package kvstore) is Workers KV; tests use memstore.
package store

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned by Get when the key has no value.
var ErrNotFound = errors.New("store: key not found")

// Store is a string key-value store with optional expiry. A ttl of zero
// means the value never expires.
type Store interface {
	Get(ctx context.Context, key string) (string, error)
	Put(ctx context.Context, key, value string, ttl time.Duration) error
	Delete(ctx context.Context, key string) error
	List(ctx context.Context, q ListQuery) (Page, error)
}

// ListQuery selects one page of keys.
type ListQuery struct {
	Prefix string
	Cursor string
	Limit  int
}

// Page is one page of a listing. Complete is false while more keys remain,
// even when Keys is empty.
type Page struct {
	Keys     []string
	Cursor   string
	Complete bool
}

// IsNotFound reports whether err means the key has no value.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
