// Package storage defines the key-value port the services depend on. The edge
// worker satisfies it with the Workers KV binding, the back office with the
// Cloudflare REST API, and local runs with memstore.
package storage

import (
	"context"
	"errors"
	"strconv"
	"time"
)

// ErrNotFound is matched by every miss an adapter reports.
var ErrNotFound = errors.New("storage: not found")

// NotFoundError carries the key that was missing.
type NotFoundError struct {
	Key string
}

func (e *NotFoundError) Error() string { return "storage: key " + strconv.Quote(e.Key) + " not found" }

// Is makes errors.Is(err, ErrNotFound) hold for *NotFoundError.
func (e *NotFoundError) Is(target error) bool { return target == ErrNotFound }

// IsNotFound reports whether err means the key is absent.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// PutOptions control expiry of a written value. TTL is relative; Expiration is
// an absolute Unix time in seconds. Zero values mean "no expiry".
type PutOptions struct {
	TTL        time.Duration
	Expiration int64
}

// ListQuery selects one page of keys.
type ListQuery struct {
	Prefix string
	Cursor string
	Limit  int
}

// Page is one page of a key listing.
type Page struct {
	Keys     []string
	Cursor   string
	Complete bool
}

// Store is the key-value port.
type Store interface {
	// Get returns the value or an error matching ErrNotFound.
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, value []byte, opts PutOptions) error
	Delete(ctx context.Context, key string) error
	List(ctx context.Context, q ListQuery) (Page, error)
}
