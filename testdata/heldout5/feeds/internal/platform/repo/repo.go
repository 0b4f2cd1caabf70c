// Package repo provides a typed repository over one key prefix of a KV
// namespace. Values are stored as JSON.
package repo

import (
	"context"
	"strings"
	"time"

	"example.com/feeds/internal/kv"
	"example.com/feeds/internal/platform/kvjson"
)

type settings struct {
	ttl      time.Duration
	metadata func(id string) map[string]string
}

// Option configures a Repository.
type Option func(*settings)

// WithTTL makes every Put expire after d.
func WithTTL(d time.Duration) Option { return func(s *settings) { s.ttl = d } }

// WithMetadata attaches per-key metadata to each Put.
func WithMetadata(f func(id string) map[string]string) Option {
	return func(s *settings) { s.metadata = f }
}

// Repository stores values of type T under prefix+id.
type Repository[T any] struct {
	store  kv.Store
	prefix string
	cfg    settings
}

// New returns a repository for keys starting with prefix.
func New[T any](store kv.Store, prefix string, opts ...Option) *Repository[T] {
	r := &Repository[T]{store: store, prefix: prefix}
	for _, o := range opts {
		o(&r.cfg)
	}
	return r
}

// Key returns the full KV key for id.
func (r *Repository[T]) Key(id string) string { return r.prefix + id }

// TTL reports the configured expiry.
func (r *Repository[T]) TTL() time.Duration { return r.cfg.ttl }

// Get loads id. ok is false when it does not exist.
func (r *Repository[T]) Get(ctx context.Context, id string) (v T, ok bool, err error) {
	return kvjson.GetJSON[T](ctx, r.store, r.Key(id))
}

// Put stores v under id with the repository's TTL.
func (r *Repository[T]) Put(ctx context.Context, id string, v T) error {
	return r.PutFor(ctx, id, v, r.cfg.ttl)
}

// PutFor stores v under id with an explicit TTL.
func (r *Repository[T]) PutFor(ctx context.Context, id string, v T, ttl time.Duration) error {
	opts := kv.PutOptions{TTL: ttl}
	if r.cfg.metadata != nil {
		opts.Metadata = r.cfg.metadata(id)
	}
	return kvjson.PutJSON(ctx, r.store, r.Key(id), v, opts)
}

// Delete removes id.
func (r *Repository[T]) Delete(ctx context.Context, id string) error {
	return r.store.Delete(ctx, r.Key(id))
}

// Update loads id (or the zero T), applies fn and stores the result.
func (r *Repository[T]) Update(ctx context.Context, id string, fn func(*T) error) error {
	cur, _, err := r.Get(ctx, id)
	if err != nil {
		return err
	}
	if err := fn(&cur); err != nil {
		return err
	}
	return r.Put(ctx, id, cur) // EXPECT kvrace
}

// Page returns one page of ids and the cursor for the next one ("" when done).
func (r *Repository[T]) Page(ctx context.Context, cursor string, limit int) ([]string, string, error) {
	page, err := r.store.List(ctx, kv.ListParams{Prefix: r.prefix, Cursor: cursor, Limit: limit})
	if err != nil {
		return nil, "", err
	}
	ids := make([]string, 0, len(page.Keys))
	for _, k := range page.Keys {
		ids = append(ids, strings.TrimPrefix(k.Name, r.prefix))
	}
	if page.Complete {
		return ids, "", nil
	}
	return ids, page.Cursor, nil
}
