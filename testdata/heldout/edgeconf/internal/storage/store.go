// Package storage defines the persistence ports used by edgeconf's domain
// services. Domain packages depend only on these interfaces; the concrete
// adapters live in subpackages (cfkv talks to Workers KV through the
// cloudflare-go SDK, kvhttp through the raw REST API) and an in-memory
// implementation is provided for tests and `make dev`.
package storage

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned by Get when the key does not exist (or has expired).
var ErrNotFound = errors.New("storage: not found")

// Store is the minimal key/value port every service is written against.
//
// A ttl of zero means "no expiration".
type Store interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Set(ctx context.Context, key string, val []byte, ttl time.Duration) error
	Delete(ctx context.Context, key string) error
}

// ExpiringStore is implemented by stores that can expire a key at an absolute
// point in time rather than after a relative TTL.
type ExpiringStore interface {
	Store
	SetAt(ctx context.Context, key string, val []byte, at time.Time) error
}

// KeyLister enumerates keys under a prefix.
type KeyLister interface {
	List(ctx context.Context, prefix string) ([]string, error)
}

// ListableStore is a Store that can also enumerate its keys.
type ListableStore interface {
	Store
	KeyLister
}

// IsNotFound reports whether err means the key was missing.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
