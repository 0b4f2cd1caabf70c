// Package kv defines the storage ports used by the podcast backend. The
// production adapter talks to Cloudflare Workers KV over the REST API; tests
// use the in-memory implementation in memkv.
package kv

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned by Getter implementations when a key does not exist
// (or has expired).
var ErrNotFound = errors.New("kv: key not found")

// PutOptions controls expiry and metadata of a write.
type PutOptions struct {
	// TTL is relative to the moment of the write. Zero means no expiry.
	TTL time.Duration
	// ExpiresAt is an absolute expiry. Ignored when TTL is set.
	ExpiresAt time.Time
	// Metadata is stored next to the value and returned by List.
	Metadata any
}

// KeyInfo is one entry of a listing.
type KeyInfo struct {
	Name       string
	Expiration time.Time
	Metadata   any
}

// ListRequest selects one page of keys.
type ListRequest struct {
	Prefix string
	Cursor string
	Limit  int
}

// ListPage is one page of keys. Complete is true when there is nothing more
// to fetch for the request's prefix.
type ListPage struct {
	Keys     []KeyInfo
	Cursor   string
	Complete bool
}

// Getter reads a single value.
type Getter interface {
	Get(ctx context.Context, key string) ([]byte, error)
}

// Putter writes a single value.
type Putter interface {
	Put(ctx context.Context, key string, value []byte, opts PutOptions) error
}

// Deleter removes a single key.
type Deleter interface {
	Delete(ctx context.Context, key string) error
}

// Lister pages through keys.
type Lister interface {
	List(ctx context.Context, req ListRequest) (ListPage, error)
}

// BulkGetter reads up to MaxBulkGet keys in one request.
type BulkGetter interface {
	GetMany(ctx context.Context, keys []string) (map[string][]byte, error)
}

// Store is the full key-value port.
type Store interface {
	Getter
	Putter
	Deleter
	Lister
}

// MaxBulkGet is the largest number of keys one bulk read accepts.
const MaxBulkGet = 100

// MaxListLimit is the largest page size the list endpoint accepts.
const MaxListLimit = 1000

// MinTTL is the shortest expiry KV accepts.
const MinTTL = time.Minute

// IsNotFound reports whether err means the key is absent.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// ClampTTL raises a positive ttl to MinTTL. Zero stays zero (no expiry).
func ClampTTL(ttl time.Duration) time.Duration {
	if ttl <= 0 {
		return 0
	}
	if ttl < MinTTL {
		return MinTTL
	}
	return ttl
}
