// Package repo stores JSON entities that know their own key.
package repo

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"example.com/ledger/internal/storage"
)

// Entity is anything that can name its own storage key.
type Entity interface {
	Key() string
}

// Repository persists entities of one type as JSON values.
type Repository[E Entity] struct {
	store  storage.ReadWriter
	keyFor func(id string) string
	ttl    time.Duration
}

// Option configures a Repository.
type Option func(*settings)

type settings struct{ ttl time.Duration }

// WithTTL expires saved entities after d.
func WithTTL(d time.Duration) Option { return func(s *settings) { s.ttl = d } }

// New returns a repository whose Load derives keys with keyFor. keyFor(id)
// must equal e.Key() for the entity with that id.
func New[E Entity](store storage.ReadWriter, keyFor func(id string) string, opts ...Option) *Repository[E] {
	var s settings
	for _, o := range opts {
		o(&s)
	}
	return &Repository[E]{store: store, keyFor: keyFor, ttl: s.ttl}
}

func (r *Repository[E]) putOpts() []storage.PutOption {
	if r.ttl <= 0 {
		return nil
	}
	return []storage.PutOption{storage.WithTTL(r.ttl)}
}

// Save writes e under e.Key().
func (r *Repository[E]) Save(ctx context.Context, e E) error {
	b, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("repo: encode %T: %w", e, err)
	}
	return r.store.Put(ctx, e.Key(), string(b), r.putOpts()...)
}

// Load reads the entity with the given id.
func (r *Repository[E]) Load(ctx context.Context, id string) (E, error) {
	return r.load(ctx, r.keyFor(id))
}

func (r *Repository[E]) load(ctx context.Context, key string) (E, error) {
	var e E
	raw, err := r.store.Get(ctx, key)
	if err != nil {
		return e, err
	}
	if err := json.Unmarshal([]byte(raw), &e); err != nil {
		return e, fmt.Errorf("repo: decode %T %s: %w", e, key, err)
	}
	return e, nil
}

// Update loads the entity, applies fn and saves the result. If fn returns an
// error nothing is written.
func (r *Repository[E]) Update(ctx context.Context, id string, fn func(*E) error) (E, error) {
	key := r.keyFor(id)
	e, err := r.load(ctx, key)
	if err != nil {
		return e, err
	}
	if err := fn(&e); err != nil {
		return e, err
	}
	b, err := json.Marshal(e)
	if err != nil {
		return e, err
	}
	return e, r.store.Put(ctx, key, string(b), r.putOpts()...) // EXPECT kvrace
}

// Delete removes the entity with the given id.
func (r *Repository[E]) Delete(ctx context.Context, id string) error {
	return r.store.Delete(ctx, r.keyFor(id))
}
