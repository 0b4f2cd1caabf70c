// Package storage defines the key-value port used by the ledger's domain
// packages. The production adapter lives in storage/kvstore; tests use
// storage/memstore.
package storage

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned by Reader.Get when the key has no value.
var ErrNotFound = errors.New("storage: key not found")

// Reader reads single values.
type Reader interface {
	Get(ctx context.Context, key string, opts ...GetOption) (string, error)
}

// Writer writes and removes single values.
type Writer interface {
	Put(ctx context.Context, key, value string, opts ...PutOption) error
	Delete(ctx context.Context, key string) error
}

// Lister enumerates keys by prefix, one page at a time.
type Lister interface {
	List(ctx context.Context, q ListQuery) (Page, error)
}

// ReadWriter is what most services need.
type ReadWriter interface {
	Reader
	Writer
}

// Store is the full port.
type Store interface {
	Reader
	Writer
	Lister
}

// PutOptions control expiry of a written value.
type PutOptions struct {
	// TTL is relative to the time of the write.
	TTL time.Duration
	// ExpireAtUnix is an absolute expiry in seconds since the epoch.
	ExpireAtUnix int64
}

// PutOption mutates PutOptions.
type PutOption func(*PutOptions)

// WithTTL expires the value d after the write.
func WithTTL(d time.Duration) PutOption {
	return func(o *PutOptions) { o.TTL = d }
}

// ExpireAt expires the value at the given unix time (seconds).
func ExpireAt(unix int64) PutOption {
	return func(o *PutOptions) { o.ExpireAtUnix = unix }
}

// ApplyPut folds opts into a PutOptions value.
func ApplyPut(opts []PutOption) (o PutOptions) {
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// GetOptions control edge caching of a read.
type GetOptions struct {
	CacheFor time.Duration
}

// GetOption mutates GetOptions.
type GetOption func(*GetOptions)

// CacheFor lets the edge serve the value from its cache for d.
func CacheFor(d time.Duration) GetOption {
	return func(o *GetOptions) { o.CacheFor = d }
}

// ApplyGet folds opts into a GetOptions value.
func ApplyGet(opts []GetOption) (o GetOptions) {
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// ListQuery selects a page of keys.
type ListQuery struct {
	Prefix string
	Cursor string
	Limit  int
}

// Page is one page of a listing.
type Page struct {
	Keys     []string
	Cursor   string
	Complete bool
}

// IsNotFound reports whether err means the key was absent.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
