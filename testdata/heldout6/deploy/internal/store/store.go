// Package store defines the key-value storage port shared by the domain
// packages. Adapters (Workers KV, in-memory) and decorators (caching,
// dry-run) live in sibling packages and all satisfy Store.
package store

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned by Get when the key does not exist (or expired).
var ErrNotFound = errors.New("store: key not found")

// IsNotFound reports whether err means the key is absent.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// PutOptions controls expiry and metadata of a single write.
type PutOptions struct {
	TTL      time.Duration  // relative lifetime; zero means no expiry
	ExpireAt time.Time      // absolute expiry; ignored when zero
	Metadata map[string]any // returned by List next to the key
}

// PutOption mutates PutOptions.
type PutOption func(*PutOptions)

func WithTTL(d time.Duration) PutOption        { return func(o *PutOptions) { o.TTL = d } }
func WithExpireAt(t time.Time) PutOption       { return func(o *PutOptions) { o.ExpireAt = t } }
func WithMetadata(md map[string]any) PutOption { return func(o *PutOptions) { o.Metadata = md } }

// Apply folds opts into a PutOptions value.
func Apply(opts []PutOption) PutOptions {
	var o PutOptions
	for _, fn := range opts {
		fn(&o)
	}
	return o
}

// Entry is one item of a bulk write. Expiry fields use the wire units of the
// bulk API: TTLSeconds is relative seconds, ExpiresAt is unix seconds.
type Entry struct {
	Key        string
	Value      []byte
	TTLSeconds int
	ExpiresAt  int64
	Metadata   map[string]any
}

// KeyInfo describes one listed key.
type KeyInfo struct {
	Name      string
	ExpiresAt int64
	Metadata  map[string]any
}

// ListRequest selects one page of keys.
type ListRequest struct {
	Prefix, Cursor string
	Limit          int
}

// Page is one page of a listing. An empty Cursor means the listing is done.
type Page struct {
	Keys   []KeyInfo
	Cursor string
}

// Complete reports whether no further pages exist.
func (p Page) Complete() bool { return p.Cursor == "" }

// Store is the storage port.
type Store interface {
	Get(ctx context.Context, key string) ([]byte, error)
	List(ctx context.Context, req ListRequest) (Page, error)
	Put(ctx context.Context, key string, value []byte, opts ...PutOption) error
	PutMany(ctx context.Context, entries []Entry) error
	Delete(ctx context.Context, key string) error
}
