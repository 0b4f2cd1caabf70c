// Package storage is the key-value port the domain packages are written
// against. The production adapter lives in storage/cfkv (Workers KV over the
// Cloudflare API); storage/memkv is an in-memory fake for tests and local runs.
package storage

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned by Get when the key does not exist (or has expired).
var ErrNotFound = errors.New("storage: key not found")

// ErrUnsupported is returned when a store lacks an optional capability.
var ErrUnsupported = errors.New("storage: operation not supported by this store")

// WriteOpts carries the per-write options. A zero value writes a key that
// never expires.
type WriteOpts struct {
	TTL      time.Duration
	ExpireAt time.Time
	Metadata map[string]any
}

// ListQuery selects one page of keys.
type ListQuery struct {
	Prefix string
	Cursor string
	Limit  int
}

// KeyInfo is one listed key. Values are not returned by List.
type KeyInfo struct {
	Name       string
	Expiration int64
	Metadata   map[string]any
}

// Page is one page of a listing. Complete is false while more keys remain,
// even when Keys is empty.
type Page struct {
	Keys     []KeyInfo
	Cursor   string
	Complete bool
}

// Store is the minimal key-value contract.
type Store interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, value []byte, opts WriteOpts) error
	List(ctx context.Context, q ListQuery) (Page, error)
}

// Deleter is implemented by stores that can remove keys.
type Deleter interface {
	Delete(ctx context.Context, key string) error
}

// Closer is implemented by stores that buffer writes and must be flushed.
type Closer interface {
	Close(ctx context.Context) error
}

// IsNotFound reports whether err means the key was absent.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
