// Package repo provides a generic JSON repository over the kvstore port for
// entities that know their own key.
package repo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"example.com/beacon/internal/kvstore"
)

// Entity is a record that can name its own key.
type Entity interface {
	Key() string
}

// ErrNotFound is returned by Load for a missing entity.
var ErrNotFound = errors.New("repo: not found")

// Repository stores E values as JSON under E.Key().
type Repository[E Entity] struct {
	store kvstore.Store
	keyOf func(id string) string
	ttl   time.Duration
	meta  func(E) map[string]any
}

// Option configures a Repository.
type Option[E Entity] func(*Repository[E])

// WithMetadata attaches listing metadata computed from each saved entity.
func WithMetadata[E Entity](fn func(E) map[string]any) Option[E] {
	return func(r *Repository[E]) { r.meta = fn }
}

// New returns a repository. keyOf maps an ID to the key that E.Key() would
// produce for it; ttl is applied to every save (zero keeps entries forever).
func New[E Entity](store kvstore.Store, keyOf func(id string) string, ttl time.Duration, opts ...Option[E]) *Repository[E] {
	r := &Repository[E]{store: store, keyOf: keyOf, ttl: ttl}
	for _, o := range opts {
		o(r)
	}
	return r
}

// Save writes e under its own key.
func (r *Repository[E]) Save(ctx context.Context, e E) error {
	opts := kvstore.PutOptions{TTL: r.ttl}
	if r.meta != nil {
		opts.Metadata = r.meta(e)
	}
	return kvstore.PutJSON(ctx, r.store, e.Key(), e, opts)
}

// Load reads the entity with the given ID.
func (r *Repository[E]) Load(ctx context.Context, id string) (E, error) {
	e, err := kvstore.GetJSON[E](ctx, r.store, r.keyOf(id))
	if errors.Is(err, kvstore.ErrNotFound) {
		return e, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	return e, err
}

// Delete removes the entity with the given ID.
func (r *Repository[E]) Delete(ctx context.Context, id string) error {
	return r.store.Delete(ctx, r.keyOf(id))
}

// Update loads the entity, lets fn change it and saves the result. If fn
// returns an error nothing is written.
func (r *Repository[E]) Update(ctx context.Context, id string, fn func(*E) error) error {
	e, err := r.Load(ctx, id)
	if err != nil {
		return err
	}
	if err := fn(&e); err != nil {
		return err
	}
	return r.Save(ctx, e) // EXPECT kvrace
}
