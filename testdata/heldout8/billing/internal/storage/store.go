// Package storage defines the key-value port the billing services depend on.
// Production wires in kvstore (Workers KV over the REST API); tests use memstore.
package storage

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned by Get when the key does not exist.
var ErrNotFound = errors.New("storage: key not found")

// KeyInfo describes a listed key. Values are not returned by List.
type KeyInfo struct {
	Name       string
	Expiration time.Time
	Metadata   map[string]any
}

// Page is one page of a listing.
type Page struct {
	Keys   []KeyInfo
	Cursor string
}

// Done reports whether this was the last page.
func (p Page) Done() bool { return p.Cursor == "" }

// ListOptions selects keys. Prefix must be repeated on every page.
type ListOptions struct {
	Prefix string
	Cursor string
	Limit  int
}

// Store is the storage port.
type Store interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, value []byte, opts ...PutOption) error
	Delete(ctx context.Context, key string) error
	List(ctx context.Context, opts ListOptions) (Page, error)
}

// PutOptions are the resolved write options.
type PutOptions struct {
	TTL      time.Duration
	ExpireAt time.Time
	Metadata map[string]any
}

// PutOption customises a Put.
type PutOption func(*PutOptions)

// WithTTL expires the key d after the write.
func WithTTL(d time.Duration) PutOption {
	return func(o *PutOptions) { o.TTL = d }
}

// WithExpireAt expires the key at t.
func WithExpireAt(t time.Time) PutOption {
	return func(o *PutOptions) { o.ExpireAt = t }
}

// WithMetadata attaches metadata that List returns alongside the key.
func WithMetadata(m map[string]any) PutOption {
	return func(o *PutOptions) { o.Metadata = m }
}

// Resolve applies opts in order.
func Resolve(opts []PutOption) PutOptions {
	var o PutOptions
	for _, fn := range opts {
		fn(&o)
	}
	return o
}
