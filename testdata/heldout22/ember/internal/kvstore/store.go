// Package kvstore is the storage port shared by the feature packages, plus a
// Workers KV adapter built on the Cloudflare REST API.
package kvstore

import (
	"context"
	"errors"
)

// ErrNotFound is returned by Get when a key does not exist or has expired.
var ErrNotFound = errors.New("kvstore: key not found")

// Store is the narrow interface feature packages depend on. The Cloudflare
// adapter and the in-memory implementation in memkv both satisfy it.
type Store interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, value []byte, opts ...PutOption) error
	Delete(ctx context.Context, key string) error
	List(ctx context.Context, q ListQuery) (Page, error)
}

// BulkStore is implemented by adapters that can batch reads and writes.
type BulkStore interface {
	Store
	BulkGet(ctx context.Context, keys []string) (map[string]string, error)
	BulkDelete(ctx context.Context, keys []string) error
}

// ListQuery selects one page of key names.
type ListQuery struct {
	Prefix string
	Cursor string
	Limit  int
}

// Page is one page of key names. An empty Cursor means there is nothing left.
type Page struct {
	Keys   []KeyInfo
	Cursor string
}

// Done reports whether this was the final page.
func (p Page) Done() bool { return p.Cursor == "" }

// Names returns the key names on the page.
func (p Page) Names() []string {
	out := make([]string, 0, len(p.Keys))
	for _, k := range p.Keys {
		out = append(out, k.Name)
	}
	return out
}

// KeyInfo describes a listed key. Values are never returned by a listing.
type KeyInfo struct {
	Name       string
	Expiration int64
	Metadata   map[string]any
}
