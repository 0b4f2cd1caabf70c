// Package kvstore defines the storage port used by every billing service and
// a few generic helpers on top of it. Adapters live under internal/adapters.
package kvstore

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned by Get when the key does not exist (or has expired).
var ErrNotFound = errors.New("kvstore: key not found")

// KV is the minimal key-value port. Implementations must be safe for
// concurrent use.
type KV interface {
	Get(ctx context.Context, key string) ([]byte, error)
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

// Page is one page of a key listing. Complete is false when more keys may
// follow; pass Cursor back in the next ListQuery.
type Page struct {
	Keys     []KeyInfo
	Cursor   string
	Complete bool
}

// KeyInfo describes a listed key. Values are not returned by a listing.
type KeyInfo struct {
	Name       string
	Expiration time.Time
	Metadata   map[string]any
}

// PutOptions is the resolved form of a list of PutOption.
type PutOptions struct {
	TTL      time.Duration
	ExpireAt time.Time
	Metadata map[string]any
}

// PutOption customises a single write.
type PutOption func(*PutOptions)

// WithTTL expires the entry d after the write.
func WithTTL(d time.Duration) PutOption {
	return func(o *PutOptions) { o.TTL = d }
}

// WithTTLSeconds is WithTTL for callers that carry TTLs as integer seconds
// (mostly values that come straight out of provider payloads).
func WithTTLSeconds(n int64) PutOption {
	return func(o *PutOptions) { o.TTL = time.Duration(n) * time.Second }
}

// ExpireAt expires the entry at an absolute instant.
func ExpireAt(t time.Time) PutOption {
	return func(o *PutOptions) { o.ExpireAt = t }
}

// WithMetadata attaches listing metadata to the entry.
func WithMetadata(m map[string]any) PutOption {
	return func(o *PutOptions) { o.Metadata = m }
}

// Resolve folds opts into a PutOptions value.
func Resolve(opts []PutOption) PutOptions {
	var o PutOptions
	for _, fn := range opts {
		if fn != nil {
			fn(&o)
		}
	}
	return o
}

// BulkEntry is one element of a bulk write. Expiration fields follow the
// REST API: ExpirationTTL is seconds from now, Expiration is Unix seconds.
type BulkEntry struct {
	Key           string
	Value         string
	ExpirationTTL int64
	Expiration    int64
	Metadata      map[string]any
}

// BulkWriter is implemented by adapters that can write many pairs in one
// request.
type BulkWriter interface {
	PutMany(ctx context.Context, entries []BulkEntry) error
}

// Scanner is implemented by adapters that can enumerate every key under a
// prefix on their own.
type Scanner interface {
	KeysWithPrefix(ctx context.Context, prefix string) ([]string, error)
}

// IsNotFound reports whether err is ErrNotFound.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
