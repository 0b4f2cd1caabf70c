// Package kvstore is Juniper's storage port: a small key-value interface with
// a Workers KV adapter for production and an in-memory implementation for
// tests and local development.
package kvstore

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned by Get when the key does not exist (or has expired).
var ErrNotFound = errors.New("kvstore: key not found")

// Store is the port every domain package depends on.
type Store interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, value []byte, opts ...PutOption) error
	Delete(ctx context.Context, key string) error
	List(ctx context.Context, q ListQuery) (Page, error)
}

// ListQuery selects one page of keys.
type ListQuery struct {
	Prefix string
	Cursor string
	Limit  int // 0 lets the backend pick its default page size
}

// KeyInfo describes one listed key. Values are not included.
type KeyInfo struct {
	Name       string
	Expiration int64
	Metadata   any
}

// Page is one page of a listing. An empty Cursor means there is nothing more.
type Page struct {
	Keys   []KeyInfo
	Cursor string
}

// Done reports whether the listing is exhausted.
func (p Page) Done() bool { return p.Cursor == "" }

// PutOptions are the knobs a write accepts.
type PutOptions struct {
	TTL      time.Duration
	ExpireAt time.Time
	Metadata any
}

// PutOption mutates PutOptions.
type PutOption func(*PutOptions)

// WithTTL expires the key d after the write; WithExpireAt expires it at t;
// WithMetadata attaches JSON-serialisable metadata.
func WithTTL(d time.Duration) PutOption  { return func(o *PutOptions) { o.TTL = d } }
func WithExpireAt(t time.Time) PutOption { return func(o *PutOptions) { o.ExpireAt = t } }
func WithMetadata(m any) PutOption       { return func(o *PutOptions) { o.Metadata = m } }

// Collect folds opts into a PutOptions value.
func Collect(opts []PutOption) PutOptions {
	var o PutOptions
	for _, fn := range opts {
		fn(&o)
	}
	return o
}
