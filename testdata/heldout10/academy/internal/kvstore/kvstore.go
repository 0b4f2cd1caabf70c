// Package kvstore is the storage port the services talk to. Adapters live
// in sub-packages: cfkv (cloudflare-go), memkv (tests), instrument (metrics).
package kvstore

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned by Get when the key does not exist (or expired).
var ErrNotFound = errors.New("kvstore: key not found")

type (
	Reader interface {
		Get(ctx context.Context, key string) ([]byte, error)
	}
	Putter interface {
		Put(ctx context.Context, key string, value []byte, opts ...PutOption) error
	}
	Writer interface {
		Putter
		Delete(ctx context.Context, key string) error
	}
	Lister interface {
		List(ctx context.Context, q ListQuery) (Page, error)
	}
	// Store is the full port.
	Store interface {
		Reader
		Writer
		Lister
	}
)

// PutOptions collects what a PutOption sets. Adapters call Apply.
type PutOptions struct {
	TTL      time.Duration
	ExpireAt time.Time
	Metadata any
}

type PutOption func(*PutOptions)

// WithTTL expires the key d after the write.
func WithTTL(d time.Duration) PutOption { return func(o *PutOptions) { o.TTL = d } }

// WithExpireAt expires the key at t.
func WithExpireAt(t time.Time) PutOption { return func(o *PutOptions) { o.ExpireAt = t } }

// WithMetadata attaches JSON metadata, returned by List.
func WithMetadata(m any) PutOption { return func(o *PutOptions) { o.Metadata = m } }

func Apply(opts []PutOption) PutOptions {
	var o PutOptions
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

type ListQuery struct {
	Prefix, Cursor string
	Limit          int
}

type Key struct {
	Name       string
	Expiration int64
	Metadata   any
}

// Page is one page of a listing. An empty Cursor means there is nothing after it.
type Page struct {
	Keys   []Key
	Cursor string
}

func (p Page) Done() bool { return p.Cursor == "" }

// PutFunc lets an ordinary function (or a closure wrapping a store) act as a Putter.
type PutFunc func(ctx context.Context, key string, value []byte, opts ...PutOption) error

func (f PutFunc) Put(ctx context.Context, key string, value []byte, opts ...PutOption) error {
	return f(ctx, key, value, opts...)
}
