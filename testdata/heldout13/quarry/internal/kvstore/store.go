// Package kvstore defines the storage port quarry's domain packages use for
// key/value data. The production adapter (package cfkv) talks to Workers KV over
// the Cloudflare REST API; tests use package memkv.
package kvstore

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrNotFound is returned by Get when the key does not exist (or has expired).
var ErrNotFound = errors.New("kvstore: key not found")

// PutOptions controls expiry and metadata of a written value.
type PutOptions struct {
	// TTL expires the key after the given duration. Zero means no expiry.
	TTL time.Duration
	// ExpiresAt is an absolute expiry in seconds since the Unix epoch. When both
	// are set, TTL wins.
	ExpiresAt int64
	// Metadata is stored next to the key and returned by List.
	Metadata any
}

// Key is one entry of a List page.
type Key struct {
	Name       string
	Expiration int64
	Metadata   any
}

// ListRequest selects keys by prefix. Limit is the page size (0 = server default).
type ListRequest struct {
	Prefix string
	Cursor string
	Limit  int
}

// ListPage is one page of keys. Cursor is empty once the listing is complete.
type ListPage struct {
	Keys   []Key
	Cursor string
}

// Store is the key/value port.
type Store interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, value []byte, opts PutOptions) error
	Delete(ctx context.Context, key string) error
	List(ctx context.Context, req ListRequest) (ListPage, error)
}

// OpError describes a failed storage operation.
type OpError struct {
	Op  string
	Key string
	Err error
}

func (e *OpError) Error() string { return fmt.Sprintf("kvstore %s %q: %v", e.Op, e.Key, e.Err) }
func (e *OpError) Unwrap() error { return e.Err }

// IsNotFound reports whether err means the key does not exist.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
