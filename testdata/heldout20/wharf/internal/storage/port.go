// Package storage is wharf's key-value port. Use cases depend on Store; the
// Worker wires the KV adapter (kvstore) and tests the in-memory fake
// (memstore).
package storage

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned by Get when the key does not exist or has expired.
var ErrNotFound = errors.New("storage: key not found")

// MinTTL is the shortest expiry the backing store accepts.
const MinTTL = time.Minute

// MaxPage is the largest page List returns.
const MaxPage = 1000

// PutOptions controls expiry of a written value. At most one of TTL and
// ExpireAt should be set; a zero value never expires.
type PutOptions struct {
	TTL      time.Duration // relative to the write
	ExpireAt time.Time     // absolute
}

// ListQuery selects one page of keys.
type ListQuery struct {
	Prefix string
	Cursor string
	Limit  int
}

// Entry is one listed key. Values are not returned by List.
type Entry struct {
	Name      string
	ExpiresAt time.Time
}

// Page is one page of a listing. More keys may follow while Complete is
// false, even when Entries is empty.
type Page struct {
	Entries  []Entry
	Cursor   string
	Complete bool
}

// Names returns the key names of the page.
func (p Page) Names() []string {
	out := make([]string, len(p.Entries))
	for i, e := range p.Entries {
		out[i] = e.Name
	}
	return out
}

// Reader is the read half of the port.
type Reader interface {
	Get(ctx context.Context, key string) ([]byte, error)
	List(ctx context.Context, q ListQuery) (Page, error)
}

// Writer is the write half of the port.
type Writer interface {
	Put(ctx context.Context, key string, value []byte, opts PutOptions) error
	Delete(ctx context.Context, key string) error
}

// Store is the full key-value port.
type Store interface {
	Reader
	Writer
}
