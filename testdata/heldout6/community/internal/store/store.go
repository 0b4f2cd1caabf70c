// Package store defines the key-value port every domain package talks to.
// The production adapter lives in store/kvstore; tests use store/memstore.
package store

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned by Get when the key does not exist (or has expired).
var ErrNotFound = errors.New("store: not found")

// KV is the storage port. Implementations must be safe for concurrent use.
type KV interface {
	Get(ctx context.Context, key string, opts ...GetOption) ([]byte, error)
	Put(ctx context.Context, key string, value []byte, opts ...PutOption) error
	Delete(ctx context.Context, key string) error
	List(ctx context.Context, opts ListOptions) (ListPage, error)
}

// ListOptions mirrors the binding's list() arguments.
type ListOptions struct {
	Prefix, Cursor string
	Limit          int
}

// ListPage is one page of a listing. Complete is false while more pages
// remain, even when Keys is empty.
type ListPage struct {
	Keys     []string
	Cursor   string
	Complete bool
}

// PutOptions collects the knobs a write can carry.
type PutOptions struct {
	TTL      time.Duration // relative expiry
	ExpireAt time.Time     // absolute expiry
}

type PutOption func(*PutOptions)

func WithTTL(d time.Duration) PutOption { return func(o *PutOptions) { o.TTL = d } }
func ExpiresAt(t time.Time) PutOption   { return func(o *PutOptions) { o.ExpireAt = t } }

// GetOptions collects the knobs a read can carry.
type GetOptions struct {
	CacheTTL time.Duration
}

type GetOption func(*GetOptions)

// WithCacheTTL asks the edge to keep the value cached for d.
func WithCacheTTL(d time.Duration) GetOption { return func(o *GetOptions) { o.CacheTTL = d } }

// Apply folds functional options into their struct.
func Apply[O any, F ~func(*O)](opts []F) O {
	var o O
	for _, fn := range opts {
		if fn != nil {
			fn(&o)
		}
	}
	return o
}
