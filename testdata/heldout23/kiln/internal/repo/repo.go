// Package repo provides a generic JSON repository over a kvstore bucket.
// Concrete repositories embed *Base[T] and add their own queries.
package repo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"time"

	"example.com/kiln/internal/kvstore"
)

// ErrNotFound is returned when a record does not exist.
var ErrNotFound = errors.New("repo: not found")

// Option mutates a settings value of type T.
type Option[T any] func(*T)

// Apply runs opts over t in order.
func Apply[T any](t *T, opts ...Option[T]) *T {
	for _, o := range opts {
		o(t)
	}
	return t
}

// Settings configure a Base repository. A Base keeps a pointer to its
// settings, so changes made after construction apply to later writes.
type Settings struct {
	Prefix string
	TTL    time.Duration
}

// WithTTL expires every saved record after d.
func WithTTL(d time.Duration) Option[Settings] {
	return func(s *Settings) { s.TTL = d }
}

// Base stores values of type T as JSON under "<prefix><id>".
type Base[T any] struct {
	bucket *kvstore.Bucket
	cfg    *Settings
}

// NewBase builds a repository for prefix.
func NewBase[T any](b *kvstore.Bucket, prefix string, opts ...Option[Settings]) *Base[T] {
	cfg := Apply(&Settings{Prefix: prefix}, opts...)
	return &Base[T]{bucket: b, cfg: cfg}
}

// Key returns the storage key for id.
func (r *Base[T]) Key(id string) string {
	return r.cfg.Prefix + id
}

func (r *Base[T]) idOf(key string) string {
	return key[len(r.Key("")):]
}

// Load fetches the record with id.
func (r *Base[T]) Load(ctx context.Context, id string) (*T, error) {
	raw, err := r.bucket.Get(ctx, r.Key(id))
	if kvstore.IsNotFound(err) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	v := new(T)
	if err := json.Unmarshal(raw, v); err != nil {
		return nil, fmt.Errorf("repo: decode %s: %w", r.Key(id), err)
	}
	return v, nil
}

// Save writes v under id using the repository's current TTL. Short TTLs are
// raised to the store minimum.
func (r *Base[T]) Save(ctx context.Context, id string, v *T) error {
	ttl := r.cfg.TTL
	if ttl > 0 && ttl < kvstore.MinTTL {
		ttl = kvstore.MinTTL
	}
	return r.bucket.Entry(r.Key(id)).JSON(v).TTL(ttl).Put(ctx)
}

// SaveFor writes v with an explicit lifetime, subject to the same floor.
func (r *Base[T]) SaveFor(ctx context.Context, id string, v *T, ttl time.Duration) error {
	return r.bucket.Entry(r.Key(id)).JSON(v).TTL(max(ttl, kvstore.MinTTL)).Put(ctx)
}

// Remove deletes the record with id.
func (r *Base[T]) Remove(ctx context.Context, id string) error {
	return r.bucket.Delete(ctx, r.Key(id))
}

// IDs iterates over stored ids, stopping after limit ids when limit > 0.
func (r *Base[T]) IDs(ctx context.Context, limit int) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		n := 0
		for k, err := range r.bucket.Keys(ctx, r.Key("")) {
			if err != nil {
				yield("", err)
				return
			}
			if !yield(r.idOf(k), nil) {
				return
			}
			n++
			if limit > 0 && n >= limit {
				return
			}
		}
	}
}

// LoadMany fetches records by id using bulk reads.
func (r *Base[T]) LoadMany(ctx context.Context, ids []string) (map[string]*T, error) {
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = r.Key(id)
	}
	raw, err := r.bucket.GetMany(ctx, keys)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*T, len(raw))
	for i, k := range keys {
		b, ok := raw[k]
		if !ok {
			continue
		}
		v := new(T)
		if err := json.Unmarshal(b, v); err != nil {
			return nil, fmt.Errorf("repo: decode %s: %w", k, err)
		}
		out[ids[i]] = v
	}
	return out, nil
}

// Scan yields up to limit records, reading each page's records in one bulk
// request rather than one read per key.
func (r *Base[T]) Scan(ctx context.Context, limit int) iter.Seq2[*T, error] {
	return func(yield func(*T, error) bool) {
		batch := make([]string, 0, kvstore.MaxBulkGet)
		flush := func() bool {
			got, err := r.LoadMany(ctx, batch)
			if err != nil {
				return yield(nil, err)
			}
			for _, id := range batch {
				if v, ok := got[id]; ok && !yield(v, nil) {
					return false
				}
			}
			batch = batch[:0]
			return true
		}
		for id, err := range r.IDs(ctx, limit) {
			if err != nil {
				yield(nil, err)
				return
			}
			batch = append(batch, id)
			if len(batch) == kvstore.MaxBulkGet && !flush() {
				return
			}
		}
		if len(batch) > 0 {
			flush()
		}
	}
}
