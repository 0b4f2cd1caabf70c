// Package storage defines the persistence ports used by both the edge worker
// and the backend services. Adapters live next to the runtime they target.
package storage

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned by every adapter when a key has no value.
var ErrNotFound = errors.New("storage: not found")

// ErrConflict is returned when a caller asked for create-only semantics and the
// key already existed.
var ErrConflict = errors.New("storage: conflict")

// Page is one page of a key listing.
type Page struct {
	Keys     []KeyInfo
	Cursor   string
	Complete bool
}

// KeyInfo describes one listed key. Metadata is whatever the adapter returned.
type KeyInfo struct {
	Name       string
	Expiration int64
	Metadata   map[string]any
}

// Blob is the raw byte-oriented port implemented by the KV adapters.
type Blob interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, value []byte, opts ...PutOption) error
	Delete(ctx context.Context, key string) error
	List(ctx context.Context, prefix, cursor string, limit int) (Page, error)
}

// PutConfig is the resolved form of a set of put options.
type PutConfig struct {
	TTL      time.Duration
	ExpireAt time.Time
	Metadata any
}

// PutOption customises a single write.
type PutOption func(*PutConfig)

// WithTTL expires the value after d.
func WithTTL(d time.Duration) PutOption {
	return func(c *PutConfig) { c.TTL = d }
}

// WithExpireAt expires the value at an absolute instant.
func WithExpireAt(t time.Time) PutOption {
	return func(c *PutConfig) { c.ExpireAt = t }
}

// WithMetadata attaches a JSON-serialisable metadata object.
func WithMetadata(m any) PutOption {
	return func(c *PutConfig) { c.Metadata = m }
}

// Resolve folds opts into a PutConfig.
func Resolve(opts []PutOption) PutConfig {
	var c PutConfig
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	return c
}

// MinTTL is the shortest expiry the KV backends accept.
const MinTTL = time.Minute

// AtLeastMinute raises d to the one-minute floor KV imposes.
func AtLeastMinute(d time.Duration) time.Duration {
	if d < MinTTL {
		return MinTTL
	}
	return d
}

// IsNotFound reports whether err means the key was missing.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
