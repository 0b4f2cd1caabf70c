// Package storage defines Mosaic's key-value storage port. Services depend
// on Store; drivers (Workers KV, in-memory) register themselves by name and
// are opened from configuration.
package storage

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned by Get when the key does not exist.
var ErrNotFound = errors.New("storage: key not found")

// PutOptions controls the lifetime of a written value. TTL is relative to
// the time of the write; ExpireAt is an absolute instant. At most one should
// be set.
type PutOptions struct {
	TTL      time.Duration
	ExpireAt time.Time
}

// Key is one entry of a listing.
type Key struct {
	Name       string
	Expiration time.Time
}

// Page is one page of a listing. Cursor is empty and Done is true on the
// last page.
type Page struct {
	Keys   []Key
	Cursor string
	Done   bool
}

// Getter reads single values.
type Getter interface {
	Get(ctx context.Context, key string) ([]byte, error)
}

// Store is the storage port every service depends on.
type Store interface {
	Getter
	Put(ctx context.Context, key string, value []byte, opts PutOptions) error
	Delete(ctx context.Context, key string) error
	List(ctx context.Context, prefix, cursor string, limit int) (Page, error)
}

// GetterFunc adapts a plain function to the Getter interface.
type GetterFunc func(ctx context.Context, key string) ([]byte, error)

// Get calls f(ctx, key).
func (f GetterFunc) Get(ctx context.Context, key string) ([]byte, error) { return f(ctx, key) }

// PutFunc is the signature of Store.Put, used by services that hold their
// write strategy in a field.
type PutFunc func(ctx context.Context, key string, value []byte, opts PutOptions) error

// Middleware decorates a Store.
type Middleware func(Store) Store

// Chain applies middlewares so that the first one listed is the outermost.
func Chain(st Store, mws ...Middleware) Store {
	for i := len(mws) - 1; i >= 0; i-- {
		st = mws[i](st)
	}
	return st
}

// Funcs is a Store assembled from individual functions; decorators fill in
// the ones they change and delegate the rest.
type Funcs struct {
	GetFn    GetterFunc
	PutFn    PutFunc
	DeleteFn func(ctx context.Context, key string) error
	ListFn   func(ctx context.Context, prefix, cursor string, limit int) (Page, error)
}

func (f Funcs) Get(ctx context.Context, key string) ([]byte, error) { return f.GetFn(ctx, key) }

func (f Funcs) Put(ctx context.Context, key string, value []byte, opts PutOptions) error {
	return f.PutFn(ctx, key, value, opts)
}

func (f Funcs) Delete(ctx context.Context, key string) error { return f.DeleteFn(ctx, key) }

func (f Funcs) List(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	return f.ListFn(ctx, prefix, cursor, limit)
}

// From returns a Funcs whose fields all delegate to st.
func From(st Store) Funcs {
	return Funcs{GetFn: st.Get, PutFn: st.Put, DeleteFn: st.Delete, ListFn: st.List}
}

// IsNotFound reports whether err means the key is missing.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
