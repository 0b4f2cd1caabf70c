// Package storage declares the persistence ports the fleet services depend on.
//
// Services only ever see these interfaces. The concrete adapters live in
// storage/kvv0 (legacy REST client), storage/kvv6 (current SDK) and
// storage/memstore (tests and local development).
package storage

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned by Get when the key does not exist (or has expired).
var ErrNotFound = errors.New("storage: key not found")

// Store is a byte-oriented key/value port.
//
// A ttl of zero means the entry does not expire.
type Store interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Set(ctx context.Context, key string, val []byte, ttl time.Duration) error
	Delete(ctx context.Context, key string) error
}

// Expirer is implemented by stores that can expire an entry at an absolute time.
type Expirer interface {
	SetUntil(ctx context.Context, key string, val []byte, at time.Time) error
}

// Entry is one element of a batch write.
type Entry struct {
	Key   string
	Value []byte
	// TTL, when non-zero, takes precedence over ExpiresAt.
	TTL       time.Duration
	ExpiresAt time.Time
}

// BatchStore can write many entries in one round trip.
type BatchStore interface {
	Store
	SetMany(ctx context.Context, entries []Entry) error
}

// IsNotFound reports whether err means the key was absent.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
