// Package storage declares the key-value port meadow's domain packages depend
// on. kvstore implements it on Workers KV; memstore is the test fake.
package storage

import (
	"context"
	"errors"
	"time"
)

var (
	// ErrNotFound is returned by Get when the key does not exist.
	ErrNotFound = errors.New("storage: key not found")
	// ErrUnsupported is returned when a store lacks an optional capability.
	ErrUnsupported = errors.New("storage: operation not supported")
)

// Store is what every backend provides.
type Store interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, value []byte, opts PutOptions) error
}

// Deleter is implemented by stores that can remove keys.
type Deleter interface {
	Delete(ctx context.Context, key string) error
}

// Lister is implemented by stores that can enumerate keys.
type Lister interface {
	List(ctx context.Context, q ListQuery) (Page, error)
}

// Full is a store with every optional capability.
type Full interface {
	Store
	Deleter
	Lister
}

// PutOptions controls expiry and metadata of a write. TTL wins over ExpireAt.
type PutOptions struct {
	TTL      time.Duration
	ExpireAt time.Time
	Metadata map[string]any
}

// ListQuery selects one page of keys.
type ListQuery struct {
	Prefix, Cursor string
	Limit          int
}

// Page is one page of keys; an empty Cursor means there are no more.
type Page struct {
	Keys   []KeyInfo
	Cursor string
}

// Complete reports whether no further pages exist.
func (p Page) Complete() bool { return p.Cursor == "" }

// KeyInfo describes one listed key.
type KeyInfo struct {
	Name       string
	Expiration int64
	Metadata   map[string]any
}

// Delete removes key if st can delete.
func Delete(ctx context.Context, st Store, key string) error {
	if d, ok := st.(Deleter); ok {
		return d.Delete(ctx, key)
	}
	return ErrUnsupported
}

// IsNotFound reports whether err means the key was missing.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
