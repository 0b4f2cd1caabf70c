// Package ports holds the storage contracts shared by the domain packages.
// Domain packages depend on the narrowest interface they need; adapters in
// internal/adapters satisfy them.
package ports

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned by Get when the key is absent or expired.
var ErrNotFound = errors.New("kv: key not found")

// PutOptions collects per-write settings; adapters send TTL when set and
// ExpireAt otherwise.
type PutOptions struct {
	TTL      time.Duration
	ExpireAt time.Time
	Metadata map[string]any
}

type PutOption func(*PutOptions)

func WithTTL(d time.Duration) PutOption       { return func(o *PutOptions) { o.TTL = d } }
func ExpireAt(t time.Time) PutOption          { return func(o *PutOptions) { o.ExpireAt = t } }
func WithMetadata(m map[string]any) PutOption { return func(o *PutOptions) { o.Metadata = m } }
func Resolve(opts []PutOption) (o PutOptions) {
	for _, fn := range opts {
		fn(&o)
	}
	return o
}

type KeyInfo struct {
	Name     string
	Metadata map[string]any
}

type ListRequest struct {
	Prefix, Cursor string
	Limit          int
}

// ListPage is one page of keys; Complete is false while more pages remain.
type ListPage struct {
	Keys     []KeyInfo
	Cursor   string
	Complete bool
}

// Entry is one pair of a bulk write; ExpirationTTL is in seconds.
type Entry struct {
	Key           string
	Value         []byte
	ExpirationTTL int64
	Metadata      map[string]any
}

type Reader interface {
	Get(ctx context.Context, key string) ([]byte, error)
}

type Writer interface {
	Put(ctx context.Context, key string, value []byte, opts ...PutOption) error
	Delete(ctx context.Context, key string) error
}

type Lister interface {
	List(ctx context.Context, req ListRequest) (ListPage, error)
}

type ReadWriter interface {
	Reader
	Writer
}

type KV interface {
	ReadWriter
	Lister
}

type BulkWriter interface {
	BulkWrite(ctx context.Context, entries []Entry) error
	BulkDelete(ctx context.Context, keys []string) error
}
