// Package repo provides a generic, codec-agnostic repository that concrete
// repositories embed, plus the trip and share-link repositories.
package repo

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"time"

	"example.com/wayfarer/internal/storage"
)

// Codec converts between T and its stored form.
type Codec[T any] interface {
	Encode(T) ([]byte, error)
	Decode([]byte) (T, error)
}

type JSONCodec[T any] struct{}

func (JSONCodec[T]) Encode(v T) ([]byte, error) { return json.Marshal(v) }

func (JSONCodec[T]) Decode(b []byte) (T, error) {
	var v T
	err := json.Unmarshal(b, &v)
	return v, err
}

// Config is shared by pointer so operators can retune a running repository
// (the admin console flips TTLs during incidents).
type Config struct {
	Prefix string
	TTL    time.Duration
}

// Base implements the common record operations for one key prefix.
type Base[T any] struct {
	store storage.Store
	kv    *storage.KV
	cfg   *Config
	codec Codec[T]
	now   func() time.Time
}

// NewBase builds a repository over s. cfg must not be nil.
func NewBase[T any](s storage.Store, cfg *Config, opts ...storage.Option[Base[T]]) *Base[T] {
	b := storage.Apply(Base[T]{store: s, cfg: cfg, codec: JSONCodec[T]{}, now: time.Now}, opts...)
	b.kv = storage.NewKV(s)
	return &b
}

func (b *Base[T]) Key(id string) string { return b.cfg.Prefix + id }

// Store exposes the underlying port for repository-specific queries.
func (b *Base[T]) Store() storage.Store { return b.store }

func (b *Base[T]) Now() time.Time { return b.now() }

// Get loads id. A miss is reported as storage.ErrNotFound.
func (b *Base[T]) Get(ctx context.Context, id string) (T, error) {
	raw, err := b.store.Get(ctx, b.Key(id))
	if err != nil {
		var zero T
		return zero, err
	}
	v, err := b.codec.Decode(raw)
	if err != nil {
		return v, fmt.Errorf("repo: decoding %s: %w", b.Key(id), err)
	}
	return v, nil
}

// Save writes v under id with the configured TTL.
func (b *Base[T]) Save(ctx context.Context, id string, v T) error {
	return b.SaveFor(ctx, id, v, b.cfg.TTL)
}

// SaveFor writes v under id with an explicit TTL; zero means no expiry.
func (b *Base[T]) SaveFor(ctx context.Context, id string, v T, ttl time.Duration) error {
	raw, err := b.codec.Encode(v)
	if err != nil {
		return fmt.Errorf("repo: encoding %s: %w", b.Key(id), err)
	}
	var opts []storage.Option[storage.PutOptions]
	if ttl > 0 {
		opts = append(opts, storage.WithTTL(ttl))
	}
	return b.store.Put(ctx, b.Key(id), raw, opts...)
}

func (b *Base[T]) Delete(ctx context.Context, id string) error {
	return b.store.Delete(ctx, b.Key(id))
}

// Update loads id, lets fn change it, and writes it back.
func (b *Base[T]) Update(ctx context.Context, id string, fn func(*T) error) error {
	v, err := b.Get(ctx, id)
	if err != nil {
		return err
	}
	if err := fn(&v); err != nil {
		return err
	}
	return b.Save(ctx, id, v) // EXPECT kvrace
}

// Scan yields up to max records under the prefix. It uses bulk reads when
// the store supports them.
func (b *Base[T]) Scan(ctx context.Context, max int) iter.Seq2[T, error] {
	if max <= 0 {
		max = storage.MaxListLimit
	}
	return func(yield func(T, error) bool) {
		var batch []string
		flush := func() bool {
			defer func() { batch = batch[:0] }()
			if bg, ok := b.store.(storage.BulkGetter); ok {
				vals, err := bg.GetMany(ctx, batch)
				if err != nil {
					var zero T
					return yield(zero, err)
				}
				for _, k := range batch {
					raw, ok := vals[k]
					if !ok {
						continue
					}
					v, err := b.codec.Decode(raw)
					if !yield(v, err) {
						return false
					}
				}
				return true
			}
			for _, k := range batch {
				raw, err := b.store.Get(ctx, k) // EXPECT kvlist
				if storage.IsNotFound(err) {
					continue
				}
				if err != nil {
					var zero T
					return yield(zero, err)
				}
				v, err := b.codec.Decode(raw)
				if !yield(v, err) {
					return false
				}
			}
			return true
		}
		for ki, err := range b.kv.Keys(ctx, b.cfg.Prefix, storage.MaxKeys(max)) {
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			batch = append(batch, ki.Name)
			if len(batch) == storage.MaxBulkGet && !flush() {
				return
			}
		}
		if len(batch) > 0 {
			flush()
		}
	}
}
