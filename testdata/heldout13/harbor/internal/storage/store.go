// Package storage defines the key-value port the domain packages depend on.
// The production adapter lives in storage/kvstore (Workers KV over the REST
// API); storage/memstore is an in-memory implementation for tests.
package storage

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrNotFound is returned (wrapped in a *KeyError) when a key does not exist.
var ErrNotFound = errors.New("storage: key not found")

// KeyError annotates a storage failure with the operation and key.
type KeyError struct {
	Op, Key string
	Err     error
}

func (e *KeyError) Error() string { return fmt.Sprintf("storage %s %q: %v", e.Op, e.Key, e.Err) }
func (e *KeyError) Unwrap() error { return e.Err }

// IsNotFound reports whether err means the key was missing.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// Store is the port implemented by the adapters.
type Store interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, value []byte, opts ...PutOption) error
	Delete(ctx context.Context, key string) error
	List(ctx context.Context, req ListRequest) (Page, error)
}

// PutOptions collects the optional settings of a write.
type PutOptions struct {
	TTL        time.Duration
	Expiration int64 // seconds since the epoch
	Metadata   any
}

// PutOption configures a single Put.
type PutOption func(*PutOptions)

// WithTTL expires the value d after the write.
func WithTTL(d time.Duration) PutOption { return func(o *PutOptions) { o.TTL = d } }

// WithExpiration expires the value at the given unix time.
func WithExpiration(unix int64) PutOption { return func(o *PutOptions) { o.Expiration = unix } }

// WithMetadata attaches JSON-serialisable metadata to the key.
func WithMetadata(m any) PutOption { return func(o *PutOptions) { o.Metadata = m } }

// Apply folds opts into a PutOptions value.
func Apply(opts []PutOption) PutOptions {
	var o PutOptions
	for _, fn := range opts {
		fn(&o)
	}
	return o
}

// ListRequest selects one page of keys.
type ListRequest struct {
	Prefix, Cursor string
	Limit          int
}

// Key is one listed key. Values are not returned by List.
type Key struct {
	Name       string
	Expiration time.Time
	Metadata   map[string]any
}

// Page is one page of a listing. Cursor is empty on the last page.
type Page struct {
	Keys   []Key
	Cursor string
}

// Done reports whether there are no further pages.
func (p Page) Done() bool { return p.Cursor == "" }

// PutFunc writes a string value; projections and writers receive one instead
// of a whole Store.
type PutFunc func(ctx context.Context, key, val string) error

// GetFunc reads a string value.
type GetFunc func(ctx context.Context, key string) (string, error)

// Putter binds a Store and fixed options into a PutFunc.
func Putter(st Store, opts ...PutOption) PutFunc {
	return func(ctx context.Context, key, val string) error {
		return st.Put(ctx, key, []byte(val), opts...)
	}
}

// Getter adapts a Store into a GetFunc.
func Getter(st Store) GetFunc {
	return func(ctx context.Context, key string) (string, error) {
		b, err := st.Get(ctx, key)
		return string(b), err
	}
}
