// Package kvstore is the storage port every Lattice service depends on. It is
// deliberately small: get, put, delete and a single-page list. Adapters live
// in cfkv (Workers KV over the Cloudflare API) and memkv (tests, local runs).
package kvstore

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned by Get when the key does not exist or has expired.
var ErrNotFound = errors.New("kvstore: key not found")

// Store is the port.
type Store interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, value []byte, opts ...Option) error
	Delete(ctx context.Context, key string) error
	List(ctx context.Context, q ListQuery) (Page, error)
}

// Key is one entry of a listing. Values are never included.
type Key struct {
	Name       string
	Expiration time.Time
	Metadata   map[string]any
}

// Page is one page of a listing. An empty Cursor means there is nothing more.
type Page struct {
	Keys   []Key
	Cursor string
}

// Complete reports whether this is the last page.
func (p Page) Complete() bool { return p.Cursor == "" }

// Names returns the key names of the page.
func (p Page) Names() []string {
	out := make([]string, len(p.Keys))
	for i, k := range p.Keys {
		out[i] = k.Name
	}
	return out
}

// ListQuery describes one list request. Build it with the With* methods,
// which return modified copies, so a base query can be shared safely.
type ListQuery struct {
	Prefix string
	Cursor string
	Limit  int
}

// WithPrefix returns a copy of q restricted to prefix.
func (q ListQuery) WithPrefix(prefix string) ListQuery {
	q.Prefix = prefix
	return q
}

// WithCursor returns a copy of q that continues after cursor.
func (q ListQuery) WithCursor(cursor string) ListQuery {
	q.Cursor = cursor
	return q
}

// WithLimit returns a copy of q returning at most n keys.
func (q ListQuery) WithLimit(n int) ListQuery {
	q.Limit = n
	return q
}

// IsNotFound is a convenience for errors.Is(err, ErrNotFound).
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
