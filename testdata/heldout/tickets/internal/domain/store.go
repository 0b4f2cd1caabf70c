package domain

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned by every Store implementation for a missing key.
var ErrNotFound = errors.New("store: key not found")

// Store is the key/value port used by the services. A ttl of zero means the
// entry does not expire.
type Store interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Set(ctx context.Context, key string, val []byte, ttl time.Duration) error
	Delete(ctx context.Context, key string) error
}

// ExpiringStore pins an entry to an absolute expiry, given in unix seconds.
type ExpiringStore interface {
	Store
	SetExpireAt(ctx context.Context, key string, val []byte, unixSeconds int64) error
}

// CachedReader lets callers accept an edge-cached copy no older than maxAge.
type CachedReader interface {
	GetCached(ctx context.Context, key string, maxAge time.Duration) ([]byte, error)
}

// Lister enumerates keys under a prefix.
type Lister interface {
	Keys(ctx context.Context, prefix string) ([]string, error)
}

// FullStore is what the KV adapter and the in-memory fake both provide.
type FullStore interface {
	ExpiringStore
	CachedReader
	Lister
}
