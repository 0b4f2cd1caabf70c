// Package repo stores JSON entities under a key prefix.
package repo

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"example.com/lantern/internal/store"
)

// Entity is anything that knows its own storage key (relative to the
// repository prefix).
type Entity interface {
	comparable
	StoreKey() string
}

// Repo reads and writes entities of one type.
type Repo[E Entity] struct {
	st     store.Store
	prefix string
	ttl    time.Duration
}

// New returns a repository writing under prefix. A zero ttl keeps entities
// until they are overwritten.
func New[E Entity](st store.Store, prefix string, ttl time.Duration) *Repo[E] {
	return &Repo[E]{st: st, prefix: prefix, ttl: ttl}
}

func (r *Repo[E]) key(id string) string { return r.prefix + id }

// Find loads the entity stored under id.
func (r *Repo[E]) Find(ctx context.Context, id string) Result[Option[E]] {
	b, err := r.st.Get(ctx, r.key(id))
	if store.IsNotFound(err) {
		return Ok(None[E]())
	}
	if err != nil {
		return Fail[Option[E]](err)
	}
	var e E
	if err := json.Unmarshal(b, &e); err != nil {
		return Fail[Option[E]](fmt.Errorf("repo: decode %s: %w", r.key(id), err))
	}
	return Ok(Some(e))
}

// Save writes e under its key.
func (r *Repo[E]) Save(ctx context.Context, e E) error {
	var zero E
	if e == zero {
		return fmt.Errorf("repo: refusing to save zero %T", e)
	}
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	return r.st.Put(ctx, r.key(e.StoreKey()), b, store.PutOptions{TTL: r.ttl})
}
