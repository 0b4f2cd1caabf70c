// Package entity provides a small generic repository over the storage port,
// plus Option and Result helpers used by the domain packages.
package entity

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"example.com/tundra/internal/storage"
)

// Entity is anything that can be stored under its own key.
type Entity interface {
	comparable
	StoreKey() string
}

// Option holds a value or nothing.
type Option[T any] struct {
	val T
	ok  bool
}

func Some[T any](v T) Option[T] { return Option[T]{val: v, ok: true} }
func None[T any]() Option[T]    { return Option[T]{} }

func (o Option[T]) Get() (T, bool) { return o.val, o.ok }

// Result is a value or an error, for fan-out results.
type Result[T any] struct {
	Val T
	Err error
}

// Repo stores entities of type E as JSON under Prefix+StoreKey().
type Repo[E Entity] struct {
	Store  storage.Store
	Prefix string
	// TTL applies to every Save; zero keeps entities forever.
	TTL time.Duration
}

// Find loads the entity stored under key. A missing key is None, not an error.
func (r Repo[E]) Find(ctx context.Context, key string) (Option[E], error) {
	raw, err := r.Store.Get(ctx, r.Prefix+key)
	if storage.IsNotFound(err) {
		return None[E](), nil
	}
	if err != nil {
		return None[E](), err
	}
	var e E
	if err := json.Unmarshal(raw, &e); err != nil {
		return None[E](), fmt.Errorf("decode %s%s: %w", r.Prefix, key, err)
	}
	return Some(e), nil
}

// Save writes e under its own key.
func (r Repo[E]) Save(ctx context.Context, e E) error {
	var zero E
	if e == zero {
		return fmt.Errorf("entity: refusing to save zero value under %q", r.Prefix)
	}
	raw, err := json.Marshal(e)
	if err != nil {
		return err
	}
	return r.Store.Put(ctx, r.Prefix+e.StoreKey(), raw, storage.WriteOpts{TTL: r.TTL})
}

// Remove deletes e when the store can delete.
func (r Repo[E]) Remove(ctx context.Context, e E) error {
	d, ok := r.Store.(storage.Deleter)
	if !ok {
		return storage.ErrUnsupported
	}
	return d.Delete(ctx, r.Prefix+e.StoreKey())
}
