// Package store defines the storage ports used by every service. The edge
// worker backs them with Workers KV, the back office with the Cloudflare API,
// and tests and local development with memstore.
package store

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned by Getter.Get when the key does not exist.
var ErrNotFound = errors.New("store: not found")

// MinTTL is the shortest expiration the storage layer accepts.
const MinTTL = time.Minute

// PutOptions controls expiry of a written value. Zero values mean "never
// expires". When both are set the TTL wins.
type PutOptions struct {
	TTL      time.Duration
	ExpireAt time.Time
}

// Entry is one listed key.
type Entry struct {
	Key        string
	Expiration time.Time
}

// Page is one page of a listing.
type Page struct {
	Entries  []Entry
	Cursor   string
	Complete bool
}

// ListQuery selects keys by prefix, one page at a time.
type ListQuery struct {
	Prefix string
	Cursor string
	Limit  int
}

// Getter reads a value.
type Getter interface {
	Get(ctx context.Context, key string) ([]byte, error)
}

// Putter writes a value.
type Putter interface {
	Put(ctx context.Context, key string, value []byte, opts PutOptions) error
}

// Deleter removes a value.
type Deleter interface {
	Delete(ctx context.Context, key string) error
}

// Lister pages through keys.
type Lister interface {
	List(ctx context.Context, q ListQuery) (Page, error)
}

// ReadWriter is the subset most services need.
type ReadWriter interface {
	Getter
	Putter
}

// Store is the full port.
type Store interface {
	Getter
	Putter
	Deleter
	Lister
}

// Scoper is implemented by stores that can hand out tenant-scoped views.
type Scoper interface {
	ForTenant(id string) Store
}

// IsNotFound reports whether err means the key was missing.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
