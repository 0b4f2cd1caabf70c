// Package repo provides typed JSON access on top of kvstore.
package repo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"example.com/clinic/internal/kvstore"
)

// Keyer is implemented by records that know their own key suffix.
type Keyer interface {
	Key() string
}

// Repo stores records of type T under prefix+T.Key().
type Repo[T Keyer] struct {
	store  kvstore.Store
	prefix string
	opts   []kvstore.PutOption
}

// New creates a repository. opts are applied to every Save before any
// per-call options.
func New[T Keyer](store kvstore.Store, prefix string, opts ...kvstore.PutOption) *Repo[T] {
	return &Repo[T]{store: store, prefix: prefix, opts: opts}
}

func (r *Repo[T]) Get(ctx context.Context, id string) (T, error) {
	return GetJSON[T](ctx, r.store, r.prefix+id)
}

func (r *Repo[T]) Save(ctx context.Context, v T, extra ...kvstore.PutOption) error {
	opts := append(append([]kvstore.PutOption(nil), r.opts...), extra...)
	return PutJSON(ctx, r.store, r.prefix+v.Key(), v, opts...)
}

func (r *Repo[T]) Delete(ctx context.Context, id string) error {
	return r.store.Delete(ctx, r.prefix+id)
}

// Page returns one page of ids (keys without the prefix) and the cursor for
// the next call; an empty cursor means there is nothing more.
func (r *Repo[T]) Page(ctx context.Context, cursor string, limit int) ([]string, string, error) {
	p, err := r.store.List(ctx, r.prefix, cursor, limit)
	if err != nil {
		return nil, "", err
	}
	ids := make([]string, 0, len(p.Keys))
	for _, k := range p.Keys {
		ids = append(ids, k.Name[len(r.prefix):])
	}
	if p.Complete {
		return ids, "", nil
	}
	return ids, p.Cursor, nil
}

// GetJSON decodes the value at key. A missing key yields an error wrapping
// kvstore.ErrNotFound and the zero T.
func GetJSON[T any](ctx context.Context, rd kvstore.Reader, key string) (T, error) {
	var v T
	b, err := rd.Get(ctx, key)
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return v, fmt.Errorf("repo: decode %q: %w", key, err)
	}
	return v, nil
}

func PutJSON[T any](ctx context.Context, w kvstore.Writer, key string, v T, opts ...kvstore.PutOption) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("repo: encode %q: %w", key, err)
	}
	return w.Put(ctx, key, b, opts...)
}

// Peek is the convenience form for optional, display-only values: it never
// fails and returns whatever could be decoded.
func Peek[T any](ctx context.Context, rd kvstore.Reader, key string) T {
	var v T
	b, _ := rd.Get(ctx, key) // EXPECT kvnull
	_ = json.Unmarshal(b, &v)
	return v
}

// IsMissing is a small readability helper for callers.
func IsMissing(err error) bool { return errors.Is(err, kvstore.ErrNotFound) }
