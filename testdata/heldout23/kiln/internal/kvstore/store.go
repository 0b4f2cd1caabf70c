// Package kvstore defines the storage port used by every kiln service and the
// small toolkit that sits on top of it: a bucket handle with key iteration, a
// fluent entry builder and composable decorators.
package kvstore

import (
	"context"
	"errors"
	"time"
)

// MinTTL is the shortest expiry the backing namespace accepts.
const MinTTL = 60 * time.Second

// ErrNotFound is returned by Get when the key does not exist.
var ErrNotFound = errors.New("kvstore: key not found")

// Store is the minimal port every backend implements.
type Store interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, value []byte) error
	Delete(ctx context.Context, key string) error
	List(ctx context.Context, req ListRequest) (Page, error)
}

// ListRequest asks for one page of keys.
type ListRequest struct {
	Prefix string
	Cursor string
	Limit  int
}

// KeyInfo describes one listed key. Values are never part of a listing.
type KeyInfo struct {
	Name       string
	Expiration time.Time
	Metadata   map[string]any
}

// Page is a single page of a listing.
type Page struct {
	Keys     []KeyInfo
	Cursor   string
	Complete bool
}

// TTLSetter is implemented by stores that can expire a key after a duration.
type TTLSetter interface {
	PutTTL(ctx context.Context, key string, value []byte, ttl time.Duration) error
}

// MetadataPutter is implemented by stores that keep a small metadata object
// next to each value.
type MetadataPutter interface {
	PutMeta(ctx context.Context, key string, value []byte, meta map[string]any, ttl time.Duration) error
}

// Pair is one key/value for bulk operations.
type Pair struct {
	Key   string
	Value []byte
	TTL   time.Duration
}

// BulkGetter fetches several keys in one round trip.
type BulkGetter interface {
	GetMany(ctx context.Context, keys []string) (map[string][]byte, error)
}

// BulkPutter writes several pairs in one round trip.
type BulkPutter interface {
	PutMany(ctx context.Context, pairs []Pair) error
}

// MaxBulkGet is the most keys a single bulk read may ask for.
const MaxBulkGet = 100

// MaxListLimit is the largest page a listing may ask for.
const MaxListLimit = 1000

// ClampTTL raises short, positive expiries to the store minimum.
func ClampTTL(d time.Duration) time.Duration {
	if d > 0 && d < MinTTL {
		return MinTTL
	}
	return d
}

// IsNotFound reports whether err means the key does not exist.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
