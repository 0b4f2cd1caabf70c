package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Repo stores values of one type as JSON in a namespace, keyed by id.
type Repo[T any] struct {
	ns  Namespace
	id  func(*T) string
	ttl time.Duration
}

// NewRepo returns a repository over ns. ttl of zero keeps values forever.
func NewRepo[T any](ns Namespace, id func(*T) string, ttl time.Duration) *Repo[T] {
	return &Repo[T]{ns: ns, id: id, ttl: ttl}
}

func (r *Repo[T]) opts() *PutOpts {
	if r.ttl == 0 {
		return nil
	}
	return &PutOpts{TTL: r.ttl}
}

// Find returns the value for id and whether it exists.
func (r *Repo[T]) Find(ctx context.Context, id string) (T, bool, error) {
	var v T
	b, err := r.ns.Get(ctx, id)
	if IsNotFound(err) {
		return v, false, nil
	}
	if err != nil {
		return v, false, err
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return v, false, fmt.Errorf("decode %s: %w", id, err)
	}
	return v, true, nil
}

// Get is Find that treats a missing value as ErrNotFound.
func (r *Repo[T]) Get(ctx context.Context, id string) (T, error) {
	v, ok, err := r.Find(ctx, id)
	if err == nil && !ok {
		err = fmt.Errorf("%s: %w", id, ErrNotFound)
	}
	return v, err
}

// Save writes v under its id.
func (r *Repo[T]) Save(ctx context.Context, v *T) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return r.ns.Put(ctx, r.id(v), b, r.opts())
}

// Update loads id, applies fn and writes the result back.
func (r *Repo[T]) Update(ctx context.Context, id string, fn func(*T) error) (T, error) {
	v, err := r.Get(ctx, id)
	if err != nil {
		return v, err
	}
	if err := fn(&v); err != nil {
		return v, err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return v, err
	}
	return v, r.ns.Put(ctx, id, b, r.opts()) // EXPECT kvrace
}
