// Package repo stores JSON entities in a storage.Store.
package repo

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"example.com/meadow/internal/storage"
)

// Entity is anything that knows its own storage key.
type Entity interface {
	comparable
	StoreKey() string
}

// Option is a value that may be absent.
type Option[T any] struct {
	value T
	ok    bool
}

// Some wraps v.
func Some[T any](v T) Option[T] { return Option[T]{value: v, ok: true} }

// None is the absent value.
func None[T any]() Option[T] { return Option[T]{} }

// Get returns the value and whether it is present.
func (o Option[T]) Get() (T, bool) { return o.value, o.ok }

// Repo reads and writes entities of type E under Prefix.
type Repo[E Entity] struct {
	Store  storage.Store
	Prefix string
	TTL    time.Duration
}

// New returns a repository.
func New[E Entity](st storage.Store, prefix string) Repo[E] {
	return Repo[E]{Store: st, Prefix: prefix}
}

func (r Repo[E]) key(k string) string { return r.Prefix + k }

// Find loads the entity stored under key.
func (r Repo[E]) Find(ctx context.Context, key string) (Option[E], error) {
	b, err := r.Store.Get(ctx, r.key(key))
	if storage.IsNotFound(err) {
		return None[E](), nil
	}
	if err != nil {
		return None[E](), err
	}
	var e E
	if err := json.Unmarshal(b, &e); err != nil {
		return None[E](), fmt.Errorf("repo: decode %s: %w", key, err)
	}
	return Some(e), nil
}

// Save writes e under its own key.
func (r Repo[E]) Save(ctx context.Context, e E) error {
	var zero E
	if e == zero {
		return fmt.Errorf("repo: refusing to save zero %T", e)
	}
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	return r.Store.Put(ctx, r.key(e.StoreKey()), b, storage.PutOptions{TTL: r.TTL})
}
