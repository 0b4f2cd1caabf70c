// Package store defines the storage ports the backend's services use. The
// production adapter is Workers KV over the REST API (package cfkv); tests
// and local runs use package memstore.
package store

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned by Get for a key that does not exist.
var ErrNotFound = errors.New("store: not found")

// IsNotFound reports whether err means the key does not exist.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// PutOpts controls expiry and metadata. A nil *PutOpts writes a value that
// never expires and carries no metadata.
type PutOpts struct {
	TTL      time.Duration
	ExpireAt time.Time
	Metadata map[string]any
}

// TTLSeconds is the relative lifetime in whole seconds, or 0 for none.
func (o *PutOpts) TTLSeconds() int {
	if o == nil || o.TTL <= 0 {
		return 0
	}
	return int(o.TTL / time.Second)
}

// Expiry is the absolute expiry, or the zero time for none.
func (o *PutOpts) Expiry() time.Time {
	if o == nil {
		return time.Time{}
	}
	return o.ExpireAt
}

// Meta is the metadata to attach, or nil.
func (o *PutOpts) Meta() map[string]any {
	if o == nil {
		return nil
	}
	return o.Metadata
}

// Entry is one listed key.
type Entry struct {
	Name     string
	Expires  time.Time
	Metadata map[string]any
}

// Page is one page of a listing. An empty Cursor means there is no more.
type Page struct {
	Entries []Entry
	Cursor  string
}

// Complete reports whether this is the last page.
func (p Page) Complete() bool { return p.Cursor == "" }

// Item is one pair of a bulk write.
type Item struct {
	Key      string
	Value    []byte
	TTL      time.Duration
	Metadata map[string]any
}

// Namespace is a key space, optionally narrowed to a prefix.
type Namespace interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, value []byte, opts *PutOpts) error
	Delete(ctx context.Context, key string) error
	List(ctx context.Context, prefix, cursor string, limit int) (Page, error)
	PutMany(ctx context.Context, items []Item) error
	Prefixed(p string) Namespace
}

// Provider hands out namespaces by ID.
type Provider interface {
	Namespace(id string) Namespace
}
