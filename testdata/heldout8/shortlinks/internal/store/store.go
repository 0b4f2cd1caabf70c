// Package store defines the storage port used by the domain packages. The
// production implementation is kvstore (Workers KV); memstore backs the tests.
package store

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned by higher level helpers when a key is absent.
var ErrNotFound = errors.New("store: not found")

// Store is a string key/value store with optional expiry.
type Store interface {
	// Get returns the value and whether the key exists.
	Get(ctx context.Context, key string) (string, bool, error)
	Put(ctx context.Context, key, value string, opts ...PutOption) error
	Delete(ctx context.Context, key string) error
	List(ctx context.Context, p ListParams) (Page, error)
}

// ListParams selects a page of keys.
type ListParams struct {
	Prefix string
	Cursor string
	Limit  int
}

// Page is one page of listed keys.
type Page struct {
	Keys     []string
	Cursor   string
	Complete bool
}

// PutOptions is the resolved form of a set of PutOption values.
type PutOptions struct {
	TTL      time.Duration
	ExpireAt time.Time
}

type PutOption func(*PutOptions)

// WithTTL expires the entry d after the write.
func WithTTL(d time.Duration) PutOption {
	return func(o *PutOptions) { o.TTL = d }
}

// WithExpireAt expires the entry at an absolute time.
func WithExpireAt(t time.Time) PutOption {
	return func(o *PutOptions) { o.ExpireAt = t }
}

// Resolve applies opts in order.
func Resolve(opts []PutOption) PutOptions {
	var o PutOptions
	for _, opt := range opts {
		opt(&o)
	}
	return o
}
