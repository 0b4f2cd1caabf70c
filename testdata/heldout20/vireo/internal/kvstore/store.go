// Package kvstore is the storage port the application layers depend on. It
// models a namespaced key-value store with expiring entries and paged key
// listings; adapters live in the sub-packages.
package kvstore

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// ErrNotFound is returned by Get when the key holds no value.
var ErrNotFound = errors.New("kvstore: key not found")

// WriteOptions controls expiry and metadata for a single write.
type WriteOptions struct {
	// TTL expires the entry relative to the time of the write. Zero keeps it.
	TTL time.Duration
	// ExpireAt is an absolute expiry in seconds since the Unix epoch.
	ExpireAt int64
	// Metadata is stored next to the value and returned by List.
	Metadata any
}

// Key is one entry of a listing.
type Key struct {
	Name       string
	Expiration int64
	Metadata   json.RawMessage
}

// ListQuery selects a page of keys.
type ListQuery struct {
	Prefix string
	Cursor string
	Limit  int
}

// Page is one page of a listing. Complete is false while more keys remain,
// even when Keys is empty.
type Page struct {
	Keys     []Key
	Cursor   string
	Complete bool
}

// Reader is the read half of the port.
type Reader interface {
	Get(ctx context.Context, key string) ([]byte, error)
	List(ctx context.Context, q ListQuery) (Page, error)
}

// Writer is the write half of the port.
type Writer interface {
	Put(ctx context.Context, key string, value []byte, opts WriteOptions) error
	Delete(ctx context.Context, key string) error
}

// Store is the full port.
type Store interface {
	Reader
	Writer
}

// MaxListLimit is the largest page the backing store hands out.
const MaxListLimit = 1000

// IsMiss reports whether err means the key was absent.
func IsMiss(err error) bool { return errors.Is(err, ErrNotFound) }
