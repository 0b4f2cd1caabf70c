// Package store defines the storage port the fleet backend uses for the
// configuration and state that edge Workers read. The production
// implementation lives in kvstore (Workers KV over the REST API); tests use
// memstore.
package store

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned by Get when the key does not exist (or has expired).
var ErrNotFound = errors.New("store: key not found")

// Key is one entry of a listing. Values are not included.
type Key struct {
	Name       string
	Expiration time.Time
	Metadata   any
}

// Page is one page of a listing.
type Page struct {
	Keys     []Key
	Cursor   string
	Complete bool
}

// ListOptions selects a page of keys.
type ListOptions struct {
	Prefix string
	Cursor string
	Limit  int
}

// PutOptions are assembled from PutOption values by Apply.
type PutOptions struct {
	TTL      time.Duration
	ExpireAt time.Time
	Metadata any
}

// PutOption configures a single write.
type PutOption func(*PutOptions)

// WithTTL makes the entry expire d after the write.
func WithTTL(d time.Duration) PutOption {
	return func(o *PutOptions) { o.TTL = d }
}

// WithExpireAt makes the entry expire at t.
func WithExpireAt(t time.Time) PutOption {
	return func(o *PutOptions) { o.ExpireAt = t }
}

// WithMetadata attaches metadata that is returned with listings.
func WithMetadata(m any) PutOption {
	return func(o *PutOptions) { o.Metadata = m }
}

// Apply folds opts into a PutOptions value.
func Apply(opts []PutOption) PutOptions {
	var o PutOptions
	for _, fn := range opts {
		if fn != nil {
			fn(&o)
		}
	}
	return o
}

// Store is the port every domain package depends on.
type Store interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, value []byte, opts ...PutOption) error
	Delete(ctx context.Context, key string) error
	List(ctx context.Context, opts ListOptions) (Page, error)
}
