// Package repo stores JSON records in a storage.Store. Records are pointer
// types that know their own key, so callers pass an ID and get a record back.
package repo

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"example.com/alder/internal/storage"
)

// Record is the pointer-side constraint of a storable record type T.
type Record[T any] interface {
	*T
	Key() string
	SetID(id string)
}

// Load reads the record with the given id. A miss is reported as an error
// matching storage.ErrNotFound.
func Load[T any, PT Record[T]](ctx context.Context, s storage.Store, id string) (*T, error) {
	var v T
	p := PT(&v)
	p.SetID(id)
	key := p.Key()
	raw, err := s.Get(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("repo: load %s: %w", key, err)
	}
	if err := json.Unmarshal(raw, p); err != nil {
		return nil, fmt.Errorf("repo: decode %s: %w", key, err)
	}
	return &v, nil
}

// Save writes the record under its own key.
func Save[T any, PT Record[T]](ctx context.Context, s storage.Store, p PT, opts storage.PutOptions) error {
	raw, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("repo: encode %s: %w", p.Key(), err)
	}
	if err := s.Put(ctx, p.Key(), raw, opts); err != nil {
		return fmt.Errorf("repo: save %s: %w", p.Key(), err)
	}
	return nil
}

// Repository binds Load and Save to one store and one set of default put
// options. OnSave, when set, runs after every successful write.
type Repository[T any, PT Record[T]] struct {
	store    storage.Store
	defaults storage.PutOptions
	OnSave   func(ctx context.Context, r PT) error
}

// New returns a repository over s.
func New[T any, PT Record[T]](s storage.Store, defaults storage.PutOptions, onSave func(context.Context, PT) error) *Repository[T, PT] {
	return &Repository[T, PT]{store: s, defaults: defaults, OnSave: onSave}
}

// Get loads the record with id.
func (r *Repository[T, PT]) Get(ctx context.Context, id string) (*T, error) {
	return Load[T, PT](ctx, r.store, id)
}

// Put saves v with the repository defaults.
func (r *Repository[T, PT]) Put(ctx context.Context, v PT) error {
	return r.save(ctx, v, r.defaults)
}

// PutTTL saves v to expire ttl from now.
func (r *Repository[T, PT]) PutTTL(ctx context.Context, v PT, ttl time.Duration) error {
	o := r.defaults
	o.TTL = ttl
	o.Expiration = 0
	return r.save(ctx, v, o)
}

// PutUntil saves v to expire at deadline.
func (r *Repository[T, PT]) PutUntil(ctx context.Context, v PT, deadline time.Time) error {
	o := r.defaults
	o.TTL = 0
	o.Expiration = deadline.Unix()
	return r.save(ctx, v, o)
}

// Delete removes v.
func (r *Repository[T, PT]) Delete(ctx context.Context, v PT) error {
	return r.store.Delete(ctx, v.Key())
}

func (r *Repository[T, PT]) save(ctx context.Context, v PT, o storage.PutOptions) error {
	if err := Save[T, PT](ctx, r.store, v, o); err != nil {
		return err
	}
	if r.OnSave != nil {
		return r.OnSave(ctx, v)
	}
	return nil
}
