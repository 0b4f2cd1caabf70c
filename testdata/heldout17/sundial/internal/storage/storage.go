// Package storage is sundial's port to its key-value store.
//
// Services depend on the small interfaces here rather than on the Workers KV
// binding, so that they can run against the in-memory store in tests and
// against the REST API from the admin tool.
package storage

import (
	"context"
	"errors"
	"time"

	"example.com/sundial/internal/codec"
)

// ErrNotFound is returned by Get when the key does not exist (or has expired).
var ErrNotFound = errors.New("storage: not found")

// PutOptions controls expiry of a written value. At most one field is set.
type PutOptions struct {
	// TTL expires the value this long after the write.
	TTL time.Duration
	// ExpireAt expires the value at an absolute instant.
	ExpireAt time.Time
}

// Reader reads single values.
type Reader interface {
	// Get returns the value stored at key, or ErrNotFound.
	Get(ctx context.Context, key string) ([]byte, error)
}

// Writer writes and removes single values.
type Writer interface {
	Put(ctx context.Context, key string, value []byte, opts PutOptions) error
	Delete(ctx context.Context, key string) error
}

// Store is the capability every backend provides.
type Store interface {
	Reader
	Writer
}

// KeyInfo describes one listed key.
type KeyInfo struct {
	Name       string
	Expiration time.Time
}

// ListOptions selects a page of keys.
type ListOptions struct {
	Prefix string
	Cursor string
	// Limit caps the page size; zero means the backend default.
	Limit int
}

// Page is one page of a key listing.
type Page struct {
	Keys     []KeyInfo
	Cursor   string
	Complete bool
}

// Lister is implemented by backends that can enumerate keys.
type Lister interface {
	List(ctx context.Context, opts ListOptions) (Page, error)
}

// Entry is one pair of a bulk write.
type Entry struct {
	Key   string
	Value []byte
	Opts  PutOptions
}

// BulkWriter is implemented by backends that can write many pairs in one call.
type BulkWriter interface {
	PutMany(ctx context.Context, entries []Entry) error
}

// AsLister returns the Lister capability of st, if it has one.
func AsLister(st Reader) (Lister, bool) {
	l, ok := st.(Lister)
	return l, ok
}

// AsBulkWriter returns the BulkWriter capability of st, if it has one.
func AsBulkWriter(st Writer) (BulkWriter, bool) {
	b, ok := st.(BulkWriter)
	return b, ok
}

// GetAs reads key and decodes it with c.
func GetAs[T any](ctx context.Context, r Reader, key string, c codec.Codec[T]) (T, error) {
	var zero T
	b, err := r.Get(ctx, key)
	if err != nil {
		return zero, err
	}
	return c.Decode(b)
}

// PutAs encodes v with c and writes it at key.
func PutAs[T any](ctx context.Context, w Writer, key string, v T, c codec.Codec[T], opts PutOptions) error {
	b, err := c.Encode(v)
	if err != nil {
		return err
	}
	return w.Put(ctx, key, b, opts)
}

// IsNotFound reports whether err means the key is missing.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
