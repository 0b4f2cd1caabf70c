// Package kvport is the storage port the library services depend on. The
// edge binds it to a Workers KV namespace; tests bind it to memkv.
package kvport

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned by Get when the key does not exist or has expired.
var ErrNotFound = errors.New("kvport: key not found")

// Store is the minimal key-value surface the services use.
type Store interface {
	Get(ctx context.Context, key string) (string, error)
	Put(ctx context.Context, key, value string, opts ...PutOption) error
	Delete(ctx context.Context, key string) error
	List(ctx context.Context, q Query) (Page, error)
}

// KeyInfo is one entry of a listing.
type KeyInfo struct {
	Name       string
	Expiration int64
}

// Page is one page of a listing. Complete is false while more keys remain.
type Page struct {
	Keys     []KeyInfo
	Cursor   string
	Complete bool
}

// PutSettings is the resolved form of a set of PutOptions.
type PutSettings struct {
	TTLSeconds int
	ExpiresAt  int64
}

// PutOption customises a single Put.
type PutOption interface {
	apply(*PutSettings)
}

type ttlOption time.Duration

func (t ttlOption) apply(s *PutSettings) {
	s.TTLSeconds = int(time.Duration(t).Seconds())
}

type expireAtOption time.Time

func (e expireAtOption) apply(s *PutSettings) {
	s.ExpiresAt = time.Time(e).Unix()
}

// TTL expires the value d after the write.
func TTL(d time.Duration) PutOption { return ttlOption(d) }

// ExpireAt expires the value at an absolute instant.
func ExpireAt(t time.Time) PutOption { return expireAtOption(t) }

// Resolve folds options into settings; adapters call it.
func Resolve(opts ...PutOption) PutSettings {
	var s PutSettings
	for _, o := range opts {
		if o != nil {
			o.apply(&s)
		}
	}
	return s
}

// Query describes a listing. It is a value: every builder method returns a
// modified copy, so a base query can be shared between goroutines.
type Query struct {
	prefix string
	cursor string
	limit  int
}

// Prefix starts a query over keys beginning with p.
func Prefix(p string) Query { return Query{prefix: p} }

// After continues from a cursor returned by a previous page.
func (q Query) After(cursor string) Query {
	q.cursor = cursor
	return q
}

// Limit caps the page size.
func (q Query) Limit(n int) Query {
	q.limit = n
	return q
}

func (q Query) PrefixValue() string { return q.prefix }
func (q Query) CursorValue() string { return q.cursor }
func (q Query) LimitValue() int     { return q.limit }
