// Package storage defines the ports the domain services use to reach the
// key-value namespace, and a typed repository over them.
package storage

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"example.com/osprey/internal/codec"
)

// ErrNotFound is returned by Get when the key does not exist.
var ErrNotFound = errors.New("storage: key not found")

// KeyInfo describes one listed key.
type KeyInfo struct {
	Name       string
	Expiration int64
	Metadata   json.RawMessage
}

// Page is one page of a listing.
type Page struct {
	Keys     []KeyInfo
	Cursor   string
	Complete bool
}

// PutOptions are the write options understood by every adapter.
type PutOptions struct {
	TTL      time.Duration
	ExpireAt time.Time
	Metadata any
}

// PutOption customises a single write.
type PutOption func(*PutOptions)

// WithTTL makes the entry expire d after the write.
func WithTTL(d time.Duration) PutOption { return func(o *PutOptions) { o.TTL = d } }

// WithExpiry makes the entry expire at t.
func WithExpiry(t time.Time) PutOption { return func(o *PutOptions) { o.ExpireAt = t } }

// WithMetadata attaches JSON metadata to the entry.
func WithMetadata(m any) PutOption { return func(o *PutOptions) { o.Metadata = m } }

// Apply folds opts into a PutOptions value.
func Apply(opts []PutOption) PutOptions {
	var o PutOptions
	for _, fn := range opts {
		fn(&o)
	}
	return o
}

// Raw is the byte-level port implemented by the KV adapters and the
// in-memory fake.
type Raw interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, value []byte, opts ...PutOption) error
	Delete(ctx context.Context, key string) error
	List(ctx context.Context, prefix, cursor string, limit int) (Page, error)
}

// Store is a typed view over Raw.
type Store[K ~string, V any] interface {
	Get(ctx context.Context, key K) (V, error)
	Put(ctx context.Context, key K, value V, opts ...PutOption) error
	Delete(ctx context.Context, key K) error
	List(ctx context.Context, prefix K, cursor string, limit int) (Page, error)
}

type typed[K ~string, V any] struct {
	raw   Raw
	codec codec.Codec[V]
}

var _ Store[string, int64] = (*typed[string, int64])(nil)

// NewTyped returns a Store that encodes values with c before writing them
// to raw.
func NewTyped[K ~string, V any](raw Raw, c codec.Codec[V]) Store[K, V] {
	return &typed[K, V]{raw: raw, codec: c}
}

func (t *typed[K, V]) Get(ctx context.Context, key K) (V, error) {
	var zero V
	b, err := t.raw.Get(ctx, string(key))
	if err != nil {
		return zero, err
	}
	return t.codec.Decode(b)
}

func (t *typed[K, V]) Put(ctx context.Context, key K, value V, opts ...PutOption) error {
	b, err := t.codec.Encode(value)
	if err != nil {
		return err
	}
	return t.raw.Put(ctx, string(key), b, opts...)
}

func (t *typed[K, V]) Delete(ctx context.Context, key K) error {
	return t.raw.Delete(ctx, string(key))
}

func (t *typed[K, V]) List(ctx context.Context, prefix K, cursor string, limit int) (Page, error) {
	return t.raw.List(ctx, string(prefix), cursor, limit)
}

// Entry is one pending write.
type Entry struct {
	Key   string
	Value []byte
	TTL   time.Duration
}

// Batch collects writes to distinct keys and flushes them together.
type Batch []Entry

// Add appends an entry and returns the grown batch.
func (b Batch) Add(key string, value []byte, ttl time.Duration) Batch {
	return append(b, Entry{Key: key, Value: value, TTL: ttl})
}

// Keys returns the keys in the batch, in order.
func (b Batch) Keys() []string {
	out := make([]string, 0, len(b))
	for _, e := range b {
		out = append(out, e.Key)
	}
	return out
}

// Flush writes every entry, stopping at the first failure or when ctx ends.
func (b Batch) Flush(ctx context.Context, s Raw) error {
	for _, e := range b {
		if err := ctx.Err(); err != nil {
			return err
		}
		var opts []PutOption
		if e.TTL > 0 {
			opts = append(opts, WithTTL(max(e.TTL, time.Minute)))
		}
		if err := s.Put(ctx, e.Key, e.Value, opts...); err != nil {
			return err
		}
	}
	return nil
}

// Seconds converts a TTL for the REST API, keeping KV's one-minute floor.
func Seconds(d time.Duration) int {
	if d < time.Minute {
		d = time.Minute
	}
	return int(d.Seconds())
}
