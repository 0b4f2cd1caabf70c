// Package store defines the key-value port shared by every domain package.
//
// Production wiring binds it to a Workers KV namespace (see kvstore); tests and
// local development use memstore. Values are strings: callers own encoding.
package store

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned by Get when the key has no value.
var ErrNotFound = errors.New("store: key not found")

// PutOptions collects the optional settings of a write.
type PutOptions struct {
	// TTL is relative to the moment of the write.
	TTL time.Duration
	// ExpiresAt is an absolute expiry; it is ignored when zero.
	ExpiresAt time.Time
}

// PutOption mutates PutOptions.
type PutOption func(*PutOptions)

// WithTTL expires the value d after the write.
func WithTTL(d time.Duration) PutOption {
	return func(o *PutOptions) { o.TTL = d }
}

// ExpiresAt expires the value at t.
func ExpiresAt(t time.Time) PutOption {
	return func(o *PutOptions) { o.ExpiresAt = t }
}

// ApplyPut folds opts into a PutOptions value.
func ApplyPut(opts []PutOption) PutOptions {
	var o PutOptions
	for _, fn := range opts {
		if fn != nil {
			fn(&o)
		}
	}
	return o
}

// GetOptions collects the optional settings of a read.
type GetOptions struct {
	// CacheTTL asks the edge to keep the value cached for this long.
	CacheTTL time.Duration
}

// GetOption mutates GetOptions.
type GetOption func(*GetOptions)

// WithCacheTTL sets how long the edge may serve a cached copy.
func WithCacheTTL(d time.Duration) GetOption {
	return func(o *GetOptions) { o.CacheTTL = d }
}

// ApplyGet folds opts into a GetOptions value.
func ApplyGet(opts []GetOption) GetOptions {
	var o GetOptions
	for _, fn := range opts {
		if fn != nil {
			fn(&o)
		}
	}
	return o
}

// ListOptions selects one page of keys.
type ListOptions struct {
	Prefix string
	Cursor string
	// Limit caps the page size; zero means the backend default.
	Limit int
}

// Key is one listed key. Values are not returned by List.
type Key struct {
	Name       string
	Expiration time.Time
}

// Page is one page of a listing.
type Page struct {
	Keys     []Key
	Cursor   string
	Complete bool
}

// Lister lists keys page by page.
type Lister interface {
	List(ctx context.Context, opts ListOptions) (Page, error)
}

// Store is the full port.
type Store interface {
	Get(ctx context.Context, key string, opts ...GetOption) (string, error)
	Put(ctx context.Context, key, value string, opts ...PutOption) error
	Delete(ctx context.Context, key string) error
	Lister
}

// IsNotFound reports whether err means the key is absent.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
