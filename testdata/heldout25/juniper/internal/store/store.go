// Package store defines the storage port used by every service and the
// options shared by its adapters.
package store

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned by Get-style helpers when a key has no value.
var ErrNotFound = errors.New("store: not found")

// Raw is the byte-level key-value port. Adapters exist for the Workers KV
// binding (edge) and for the Cloudflare REST API (backend).
type Raw interface {
	// Get returns the value and true, or nil and false when the key is absent.
	Get(ctx context.Context, key string) ([]byte, bool, error)
	Put(ctx context.Context, key string, value []byte, opts ...PutOption) error
	Delete(ctx context.Context, key string) error
	List(ctx context.Context, q ListQuery) (Page, error)
}

// ListQuery selects one page of keys.
type ListQuery struct {
	Prefix string
	Cursor string
	Limit  int
}

// Page is one page of a key listing.
type Page struct {
	Keys     []Key
	Cursor   string
	Complete bool
}

// Key is a listed key. Values are never part of a listing.
type Key struct {
	Name       string
	Expiration int64
	Metadata   map[string]any
}

// PutOptions collects what a write may carry besides its value.
type PutOptions struct {
	TTL       time.Duration
	ExpiresAt time.Time
	Metadata  any
}

// PutOption configures a single write.
type PutOption func(*PutOptions)

// WithTTL sets a relative expiry.
func WithTTL(d time.Duration) PutOption {
	return func(o *PutOptions) { o.TTL = d }
}

// WithExpiresAt sets an absolute expiry.
func WithExpiresAt(t time.Time) PutOption {
	return func(o *PutOptions) { o.ExpiresAt = t }
}

// WithMetadata attaches a JSON-serialisable metadata value.
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

// Seconds returns the relative TTL in whole seconds, or zero when unset.
func (o PutOptions) Seconds() int {
	if o.TTL <= 0 {
		return 0
	}
	return int(o.TTL.Seconds())
}

// Unix returns the absolute expiry in Unix seconds, or zero when unset.
func (o PutOptions) Unix() int64 {
	if o.ExpiresAt.IsZero() {
		return 0
	}
	return o.ExpiresAt.Unix()
}
