// Package kvport defines the storage port every domain package talks to.
// The production adapter lives in kvstore; tests use kvfake.
package kvport

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned by Get when the key does not exist (or has expired).
var ErrNotFound = errors.New("kv: key not found")

// Reader is the read half of the port.
type Reader interface {
	Get(ctx context.Context, key string, opts ...ReadOption) ([]byte, error)
}

// Writer is the write half of the port.
type Writer interface {
	Put(ctx context.Context, key string, value []byte, opts ...WriteOption) error
	Delete(ctx context.Context, key string) error
}

// Lister enumerates keys page by page.
type Lister interface {
	List(ctx context.Context, q ListQuery) (Page, error)
}

// Store is the full port.
type Store interface {
	Reader
	Writer
	Lister
}

// WriteOptions describe how long a value should live. Exactly one of the
// relative and one of the absolute forms is normally set.
type WriteOptions struct {
	TTL           time.Duration
	TTLSeconds    int
	ExpiresAt     time.Time
	ExpiresAtUnix int64
}

// WriteOption configures a Put.
type WriteOption func(*WriteOptions)

// WithTTL expires the value d after the write.
func WithTTL(d time.Duration) WriteOption {
	return func(o *WriteOptions) { o.TTL = d }
}

// WithTTLSeconds is WithTTL for callers that already hold a number of seconds
// (values coming from config files or upstream headers).
func WithTTLSeconds(n int) WriteOption {
	return func(o *WriteOptions) { o.TTLSeconds = n }
}

// ExpireAt expires the value at t.
func ExpireAt(t time.Time) WriteOption {
	return func(o *WriteOptions) { o.ExpiresAt = t }
}

// ExpireAtUnix expires the value at the given epoch timestamp.
func ExpireAtUnix(sec int64) WriteOption {
	return func(o *WriteOptions) { o.ExpiresAtUnix = sec }
}

// ApplyWrite folds opts into a WriteOptions value.
func ApplyWrite(opts []WriteOption) WriteOptions {
	var o WriteOptions
	for _, fn := range opts {
		if fn != nil {
			fn(&o)
		}
	}
	return o
}

// ReadOptions tune a Get.
type ReadOptions struct {
	// CacheTTL is how long the edge may serve the value without revalidating.
	CacheTTL time.Duration
}

// ReadOption configures a Get.
type ReadOption func(*ReadOptions)

// WithCacheTTL sets the edge cache lifetime for a read.
func WithCacheTTL(d time.Duration) ReadOption {
	return func(o *ReadOptions) { o.CacheTTL = d }
}

// ApplyRead folds opts into a ReadOptions value.
func ApplyRead(opts []ReadOption) ReadOptions {
	var o ReadOptions
	for _, fn := range opts {
		if fn != nil {
			fn(&o)
		}
	}
	return o
}

// ListQuery selects one page of keys.
type ListQuery struct {
	Prefix string
	Cursor string
	Limit  int
}

// Key is one listed key. Expiration is epoch seconds, zero when unset.
type Key struct {
	Name       string
	Expiration int64
}

// Page is one page of a listing.
type Page struct {
	Keys     []Key
	Cursor   string
	Complete bool
}

// IsNotFound reports whether err means the key is absent.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
