// Package kvstore is the storage port the domain packages use. The production
// adapter (cfkv) talks to Workers KV over the Cloudflare REST API; memkv is the
// in-memory fake the tests use.
package kvstore

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrNotFound is matched by errors.Is for any missing-key error from a Store.
var ErrNotFound = errors.New("kvstore: not found")

// ErrExists is returned by callers that refuse to overwrite a key.
var ErrExists = errors.New("kvstore: already exists")

// NotFoundError reports a missing key. Stores return it as a pointer.
type NotFoundError struct {
	Key string
}

func (e NotFoundError) Error() string { return fmt.Sprintf("kvstore: key %q not found", e.Key) }

// Is makes errors.Is(err, ErrNotFound) true for a *NotFoundError.
func (e NotFoundError) Is(target error) bool { return target == ErrNotFound }

// OpError wraps an error from the backing store with the operation and key.
type OpError struct {
	Op  string
	Key string
	Err error
}

func (e *OpError) Error() string { return fmt.Sprintf("kvstore: %s %q: %v", e.Op, e.Key, e.Err) }
func (e *OpError) Unwrap() error { return e.Err }

// PutOptions carries the optional parts of a write.
type PutOptions struct {
	// TTL, when positive, expires the key that long after the write.
	TTL time.Duration
	// ExpireAt, when set, expires the key at that time. TTL wins if both are set.
	ExpireAt time.Time
	// Metadata is stored alongside the key and returned by List.
	Metadata map[string]any
}

// KeyInfo is one entry of a listing.
type KeyInfo struct {
	Name       string
	Expiration int64
	Metadata   map[string]any
}

// Page is one page of a listing. Cursor is empty on the last page.
type Page struct {
	Keys   []KeyInfo
	Cursor string
}

// Store is the key-value port.
type Store interface {
	// Get returns the value of key, or an error matching ErrNotFound.
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, value []byte, opts PutOptions) error
	Delete(ctx context.Context, key string) error
	// List returns one page of keys starting with prefix. Pass the previous
	// page's Cursor to continue; limit 0 means the backend default.
	List(ctx context.Context, prefix, cursor string, limit int) (Page, error)
}

// IsNotFound reports whether err means the key was missing.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
