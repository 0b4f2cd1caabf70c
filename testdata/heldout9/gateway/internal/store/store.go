// Package store defines the storage port the services are written against.
// Production uses kvstore (Workers KV over the REST API); tests use memstore.
package store

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned by Get when the key does not exist.
var ErrNotFound = errors.New("store: key not found")

// Reader reads single values.
type Reader interface {
	Get(ctx context.Context, key string) ([]byte, error)
}

// Writer writes and removes single values.
type Writer interface {
	Put(ctx context.Context, key string, value []byte, opts ...PutOption) error
	Delete(ctx context.Context, key string) error
}

// Lister returns one page of keys.
type Lister interface {
	List(ctx context.Context, q Query) (Page, error)
}

// Store is the full port.
type Store interface {
	Reader
	Writer
	Lister
}

// PutOptions are the optional parts of a write.
type PutOptions struct {
	TTL      time.Duration
	ExpireAt time.Time
	Metadata map[string]any
}

// PutOption configures a write.
type PutOption func(*PutOptions)

// WithTTL expires the value after d.
func WithTTL(d time.Duration) PutOption { return func(o *PutOptions) { o.TTL = d } }

// WithExpiry expires the value at t.
func WithExpiry(t time.Time) PutOption { return func(o *PutOptions) { o.ExpireAt = t } }

// WithMetadata attaches metadata that List returns alongside the key.
func WithMetadata(m map[string]any) PutOption { return func(o *PutOptions) { o.Metadata = m } }

// Apply folds opts into a PutOptions value.
func Apply(opts []PutOption) PutOptions {
	var o PutOptions
	for _, fn := range opts {
		fn(&o)
	}
	return o
}

// Query selects a page of keys.
type Query struct {
	Prefix string
	Cursor string
	Limit  int
}

// Entry is one listed key.
type Entry struct {
	Name       string
	Expiration int64
	Metadata   map[string]any
}

// Page is one page of a listing. Complete is false while more keys remain,
// even when Keys is empty.
type Page struct {
	Keys     []Entry
	Cursor   string
	Complete bool
}
