// Package kvstore defines the storage port the domain packages depend on.
// Production wires the Cloudflare KV adapter (cfkv), wrapped by the
// instrumentation and local-cache decorators; tests use memkv.
package kvstore

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned by Get when the key does not exist (or has expired).
var ErrNotFound = errors.New("kvstore: key not found")

// Store is a minimal key/value port.
type Store interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, value []byte, opts ...PutOption) error
	Delete(ctx context.Context, key string) error
	List(ctx context.Context, prefix, cursor string, limit int) (Page, error)
}

// KeyInfo is one listed key.
type KeyInfo struct {
	Name       string
	Expiration time.Time
	Metadata   map[string]any
}

// Page is one page of a listing. Cursor is empty when Complete is true.
type Page struct {
	Keys     []KeyInfo
	Cursor   string
	Complete bool
}

// PutOptions collects the optional arguments of Put.
type PutOptions struct {
	TTL      time.Duration
	ExpireAt time.Time
	Metadata map[string]any
}

// PutOption mutates PutOptions.
type PutOption func(*PutOptions)

// WithTTL expires the key after d.
func WithTTL(d time.Duration) PutOption {
	return func(o *PutOptions) { o.TTL = d }
}

// WithExpireAt expires the key at t.
func WithExpireAt(t time.Time) PutOption {
	return func(o *PutOptions) { o.ExpireAt = t }
}

// WithMetadata attaches list-visible metadata to the key.
func WithMetadata(m map[string]any) PutOption {
	return func(o *PutOptions) { o.Metadata = m }
}

// Collect applies opts to a zero PutOptions.
func Collect(opts []PutOption) PutOptions {
	var o PutOptions
	for _, fn := range opts {
		fn(&o)
	}
	return o
}
