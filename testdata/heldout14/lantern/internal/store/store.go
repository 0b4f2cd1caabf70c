// Package store declares the storage ports the domain packages depend on.
//
// Ports are small and declared by capability: a component that only reads is
// handed a Getter, one that only records is handed a Setter. The production
// adapter (internal/kvstore) satisfies all of them; memstore is the fake used
// in tests.
package store

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned by Get when the key does not exist.
var ErrNotFound = errors.New("store: not found")

// IsNotFound reports whether err means the key is missing.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// PutOptions controls expiry. A zero value stores the key without expiry.
type PutOptions struct {
	// TTL is relative to now.
	TTL time.Duration
	// ExpiresAt is absolute; used when TTL is zero.
	ExpiresAt time.Time
}

// Getter reads one value.
type Getter interface {
	Get(ctx context.Context, key string) ([]byte, error)
}

// Setter writes one value.
type Setter interface {
	Put(ctx context.Context, key string, value []byte, opts PutOptions) error
}

// Deleter removes one key. It is optional: check for it with a type assertion.
type Deleter interface {
	Delete(ctx context.Context, key string) error
}

// Page is one page of a key listing.
type Page struct {
	Keys     []string
	Cursor   string
	Complete bool
}

// Lister lists keys by prefix, one page at a time.
type Lister interface {
	List(ctx context.Context, prefix, cursor string, limit int) (Page, error)
}

// Store is the common read/write/list port.
type Store interface {
	Getter
	Setter
	Lister
}
