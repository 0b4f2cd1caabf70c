// Package store is the storage port the domain packages are written
// against. The worker binds it to a KV namespace (platform/kvstore); tests
// bind it to memstore.
package store

import (
	"context"
	"time"
)

// Store is a string key-value store with optional expiry and prefix listing.
type Store interface {
	// Get returns the value, or an error matching ErrNotFound when the key
	// does not exist.
	Get(ctx context.Context, key string) (string, error)
	Put(ctx context.Context, key, value string, opts ...Option) error
	Delete(ctx context.Context, key string) error
	// List returns one page of keys in lexicographic order.
	List(ctx context.Context, q ListQuery) (Page, error)
}

// Options are the write options understood by every adapter.
type Options struct {
	// TTL expires the entry this long after the write.
	TTL time.Duration
	// ExpireAt expires the entry at an absolute time. Ignored when TTL is set.
	ExpireAt time.Time
}

// Option sets one write option.
type Option func(*Options)

// WithTTL expires the entry d after the write.
func WithTTL(d time.Duration) Option {
	return func(o *Options) { o.TTL = d }
}

// WithExpiry expires the entry at t.
func WithExpiry(t time.Time) Option {
	return func(o *Options) { o.ExpireAt = t }
}

// Collect applies opts in order.
func Collect(opts []Option) Options {
	var o Options
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// ListQuery selects one page of keys.
type ListQuery struct {
	Prefix string
	Cursor string
	// Limit is the page size; zero leaves it to the adapter.
	Limit int
}

// Key is one listed key.
type Key struct {
	Name string
	// Expiration is zero when the key does not expire.
	Expiration time.Time
}

// Page is one page of a listing.
type Page struct {
	Keys     []Key
	Cursor   string
	Complete bool
}

// Names returns the key names of the page.
func (p Page) Names() []string {
	out := make([]string, len(p.Keys))
	for i, k := range p.Keys {
		out[i] = k.Name
	}
	return out
}

// PutFunc is the write half of a Store for code that only ever writes with
// an expiry.
type PutFunc func(ctx context.Context, key, value string, ttl time.Duration) error

// Putter adapts st to a PutFunc.
func Putter(st Store) PutFunc {
	return func(ctx context.Context, key, value string, ttl time.Duration) error {
		return st.Put(ctx, key, value, WithTTL(ttl))
	}
}
