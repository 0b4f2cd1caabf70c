// Package kvjson layers JSON encoding and a small generic repository over
// the KV port.
package kvjson

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"example.com/commerce/internal/core/ports"
)

// Get loads key and decodes it into a T. ok is false when the key is absent.
func Get[T any](ctx context.Context, r ports.Reader, key string) (v T, ok bool, err error) {
	raw, err := r.Get(ctx, key)
	if errors.Is(err, ports.ErrNotFound) {
		return v, false, nil
	}
	if err != nil {
		return v, false, err
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return v, false, fmt.Errorf("kvjson: decode %s: %w", key, err)
	}
	return v, true, nil
}

// Put encodes v and writes it under key.
func Put[T any](ctx context.Context, w ports.Writer, key string, v T, opts ...ports.PutOption) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("kvjson: encode %s: %w", key, err)
	}
	return w.Put(ctx, key, raw, opts...)
}

// Update loads key (zero value when absent), applies fn and writes the
// result back.
func Update[T any](ctx context.Context, rw ports.ReadWriter, key string, fn func(*T) error, opts ...ports.PutOption) error {
	cur, _, err := Get[T](ctx, rw, key)
	if err != nil {
		return err
	}
	if err := fn(&cur); err != nil {
		return err
	}
	return Put(ctx, rw, key, cur, opts...) // EXPECT kvrace
}

// Repo is a typed view of all keys under a prefix.
type Repo[T any] struct {
	kv       ports.ReadWriter
	prefix   string
	defaults []ports.PutOption
}

// NewRepo returns a repository; defaults are applied to every Save before
// the per-call options.
func NewRepo[T any](kv ports.ReadWriter, prefix string, defaults ...ports.PutOption) *Repo[T] {
	return &Repo[T]{kv: kv, prefix: prefix, defaults: defaults}
}

func (r *Repo[T]) Key(id string) string { return r.prefix + id }

func (r *Repo[T]) Load(ctx context.Context, id string) (T, bool, error) {
	return Get[T](ctx, r.kv, r.Key(id))
}

func (r *Repo[T]) Save(ctx context.Context, id string, v T, opts ...ports.PutOption) error {
	all := append(append([]ports.PutOption(nil), r.defaults...), opts...)
	return Put(ctx, r.kv, r.Key(id), v, all...)
}

func (r *Repo[T]) Remove(ctx context.Context, id string) error {
	return r.kv.Delete(ctx, r.Key(id))
}
