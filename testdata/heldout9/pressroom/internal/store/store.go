// Package store defines the storage port the domain packages depend on.
// Production wires it to Workers KV (package kvstore); tests use memstore.
package store

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned by helpers built on the port when a key is absent.
var ErrNotFound = errors.New("store: not found")

// Reader reads single values. ok is false when the key does not exist.
type Reader interface {
	Get(ctx context.Context, key string) (value string, ok bool, err error)
}

// Writer writes and removes single values.
type Writer interface {
	Put(ctx context.Context, key, value string, opts ...PutOption) error
	Delete(ctx context.Context, key string) error
}

// Lister pages through keys by prefix.
type Lister interface {
	List(ctx context.Context, prefix, cursor string, limit int) (Page, error)
}

// Store is the full port.
type Store interface {
	Reader
	Writer
	Lister
}

// Page is one page of a listing.
type Page struct {
	Keys     []string
	Cursor   string
	Complete bool
}

// PutOptions are the resolved options of a Put.
type PutOptions struct {
	TTL      time.Duration
	ExpireAt time.Time
}

// PutOption customises a Put.
type PutOption func(*PutOptions)

// WithTTL expires the value d after the write.
func WithTTL(d time.Duration) PutOption {
	return func(o *PutOptions) { o.TTL = d }
}

// ExpireAt expires the value at t.
func ExpireAt(t time.Time) PutOption {
	return func(o *PutOptions) { o.ExpireAt = t }
}

// Resolve applies opts in order.
func Resolve(opts ...PutOption) PutOptions {
	var o PutOptions
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	return o
}
