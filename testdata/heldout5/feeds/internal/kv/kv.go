// Package kv holds the value types and the storage port shared by the
// publishing services. Adapters for the Cloudflare API live under
// internal/adapters; domain packages declare the narrow interface they need and
// use the types from here so that any adapter (or the in-memory fake) fits.
package kv

import (
	"context"
	"errors"
	"iter"
	"time"
)

// ErrNotFound is returned by Get when the key does not exist (or has expired).
var ErrNotFound = errors.New("kv: key not found")

// IsNotFound reports whether err means the key was missing.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// PutOptions controls expiry and metadata of a single write.
type PutOptions struct {
	// TTL is relative to the time of the write. Zero means the key does not
	// expire. Adapters round it up to whole seconds.
	TTL time.Duration
	// ExpiresAt is an absolute expiry as Unix seconds. It is ignored when TTL
	// is set.
	ExpiresAt int64
	// Metadata is stored next to the value and returned by List, so callers can
	// avoid a Get per key.
	Metadata map[string]string
}

// ListParams selects one page of keys.
type ListParams struct {
	Prefix string
	Cursor string
	Limit  int
}

// KeyInfo describes one listed key. Expiration is absolute Unix seconds.
type KeyInfo struct {
	Name       string
	Expiration int64
	Metadata   map[string]any
}

// Page is one page of a listing. Complete is true when there is nothing after
// this page; Cursor is only meaningful when Complete is false.
type Page struct {
	Keys     []KeyInfo
	Cursor   string
	Complete bool
}

// Entry is one pair of a bulk write. The expiry fields use the wire format of
// the bulk endpoint: ExpirationTTL is seconds from now and Expiration is Unix
// seconds.
type Entry struct {
	Key           string
	Value         string
	ExpirationTTL int64
	Expiration    int64
	Metadata      map[string]string
}

// Store is the minimal key-value port.
type Store interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, value []byte, opts PutOptions) error
	Delete(ctx context.Context, key string) error
	List(ctx context.Context, p ListParams) (Page, error)
}

// Namespace is what an adapter for one KV namespace offers on top of Store.
type Namespace interface {
	Store
	PutMany(ctx context.Context, entries []Entry) error
	// Keys iterates over every key with the given prefix, fetching pages as
	// the caller consumes them.
	Keys(ctx context.Context, prefix string) iter.Seq2[KeyInfo, error]
}
