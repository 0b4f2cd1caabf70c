// Package storage defines the key-value port the rest of the service is
// written against, plus the small helpers built on top of it (key
// iteration, entry builder, decorators). Adapters for Workers KV live in
// internal/edge/kvadapter (binding) and internal/ops/cfkv (REST).
package storage

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned by Get when the key does not exist.
var ErrNotFound = errors.New("storage: key not found")

// Store is the minimal key-value port.
type Store interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, value []byte, opts ...Option[PutOptions]) error
	Delete(ctx context.Context, key string) error
	List(ctx context.Context, q ListQuery) (Page, error)
}

type ListQuery struct {
	Prefix string
	Cursor string
	Limit  int
}

// Page is one page of a listing. Complete is false while more keys remain,
// even if Keys is empty.
type Page struct {
	Keys     []KeyInfo
	Cursor   string
	Complete bool
}

// KeyInfo describes one listed key. Values are never included.
type KeyInfo struct {
	Name       string
	Expiration int64
	Metadata   map[string]string
}

// Option is a generic functional option.
type Option[T any] func(*T)

// Apply returns base with every non-nil option applied.
func Apply[T any](base T, opts ...Option[T]) T {
	for _, o := range opts {
		if o != nil {
			o(&base)
		}
	}
	return base
}

// PutOptions controls expiry and metadata of a write.
type PutOptions struct {
	TTL      time.Duration
	ExpireAt time.Time
	Metadata map[string]string
}

func WithTTL(d time.Duration) Option[PutOptions] {
	return func(o *PutOptions) { o.TTL = d }
}

// ExpireAt expires the entry at an absolute time.
func ExpireAt(t time.Time) Option[PutOptions] {
	return func(o *PutOptions) { o.ExpireAt = t }
}

// Optional capabilities. Adapters implement what their backend supports and
// callers upgrade with a type assertion.

// TTLSetter writes a value with a relative expiry in one call.
type TTLSetter interface {
	PutTTL(ctx context.Context, key string, value []byte, ttl time.Duration) error
}

// BulkGetter reads up to MaxBulkGet keys in one round trip. Missing keys are
// absent from the result.
type BulkGetter interface {
	GetMany(ctx context.Context, keys []string) (map[string][]byte, error)
}

type Pair struct {
	Key   string
	Value []byte
	TTL   time.Duration
}

// BulkWriter writes many pairs at once (REST only; the binding has no bulk
// write).
type BulkWriter interface {
	PutMany(ctx context.Context, pairs []Pair) error
}

// StringGetter returns the value exactly as the backend reports it, without
// the miss translation Get performs. It exists for hot paths that want to
// skip the byte-slice copy.
type StringGetter interface {
	GetString(ctx context.Context, key string) (string, error)
}

const (
	// MaxBulkGet is the most keys one bulk read may ask for.
	MaxBulkGet = 100
	// MaxBulkWrite is the most pairs one REST bulk write may carry.
	MaxBulkWrite = 10_000
	// MaxListLimit is the largest page a listing may request.
	MaxListLimit = 1000
)

// IsNotFound reports whether err means the key is absent.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
