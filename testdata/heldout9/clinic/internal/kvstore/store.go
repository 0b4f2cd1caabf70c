// Package kvstore is the storage port used by the domain packages. The
// production implementation lives in kvstore/cfkv; kvstore/memkv is the
// in-memory fake used in tests.
package kvstore

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned (possibly wrapped) by Get when the key is absent.
var ErrNotFound = errors.New("kvstore: key not found")

type Reader interface {
	Get(ctx context.Context, key string) ([]byte, error)
}

type Writer interface {
	Put(ctx context.Context, key string, val []byte, opts ...PutOption) error
	Delete(ctx context.Context, key string) error
}

type Lister interface {
	// List returns at most limit keys starting at cursor. An empty cursor
	// starts from the beginning.
	List(ctx context.Context, prefix, cursor string, limit int) (Page, error)
}

type Store interface {
	Reader
	Writer
	Lister
}

type KeyInfo struct {
	Name       string
	Expiration int64
	Metadata   map[string]any
}

type Page struct {
	Keys     []KeyInfo
	Cursor   string
	Complete bool
}

// PutOptions is the resolved form of a set of PutOption values.
type PutOptions struct {
	TTL      time.Duration
	ExpireAt time.Time
	Metadata any
}

type PutOption func(*PutOptions)

func WithTTL(d time.Duration) PutOption {
	return func(o *PutOptions) { o.TTL = d }
}

func WithExpireAt(t time.Time) PutOption {
	return func(o *PutOptions) { o.ExpireAt = t }
}

func WithMetadata(m any) PutOption {
	return func(o *PutOptions) { o.Metadata = m }
}

// Resolve applies opts in order.
func Resolve(opts ...PutOption) PutOptions {
	var o PutOptions
	for _, opt := range opts {
		opt(&o)
	}
	return o
}
