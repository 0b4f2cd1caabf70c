// Package typed layers JSON-encoded, typed access over a kvstore.Store.
package typed

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"example.com/bramble/internal/platform/kvstore"
)

// Pair couples a typed key with its value.
type Pair[K ~string, V any] struct {
	Key   K
	Value V
}

// Store reads and writes values of type V under keys of type K, all below a
// fixed prefix. The zero value is not usable; call New.
type Store[K ~string, V any] struct {
	kv       kvstore.Store
	prefix   string
	defaults []kvstore.Option
}

// New returns a typed view of kv under prefix.
func New[K ~string, V any](kv kvstore.Store, prefix string) Store[K, V] {
	return Store[K, V]{kv: kv, prefix: prefix}
}

// WithOptions returns a copy whose writes apply opts before any per-call
// options.
func (s Store[K, V]) WithOptions(opts ...kvstore.Option) Store[K, V] {
	s.defaults = append(append([]kvstore.Option(nil), s.defaults...), opts...)
	return s
}

// Key renders the storage key for k.
func (s Store[K, V]) Key(k K) string { return s.prefix + string(k) }

// Get decodes the value stored under k. A missing key yields
// kvstore.ErrNotFound and the zero V.
func (s Store[K, V]) Get(ctx context.Context, k K) (V, error) {
	var v V
	raw, err := s.kv.Get(ctx, s.Key(k))
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return v, fmt.Errorf("typed: decode %q: %w", s.Key(k), err)
	}
	return v, nil
}

// Lookup is Get with the miss reported as a boolean.
func (s Store[K, V]) Lookup(ctx context.Context, k K) (v V, found bool, err error) {
	v, err = s.Get(ctx, k)
	switch {
	case err == nil:
		return v, true, nil
	case errors.Is(err, kvstore.ErrNotFound):
		return v, false, nil
	default:
		return v, false, err
	}
}

// Put encodes v and stores it under k.
func (s Store[K, V]) Put(ctx context.Context, k K, v V, opts ...kvstore.Option) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("typed: encode %q: %w", s.Key(k), err)
	}
	all := append(append([]kvstore.Option(nil), s.defaults...), opts...)
	return s.kv.Put(ctx, s.Key(k), raw, all...)
}

// PutAll stores each pair under its own key.
func (s Store[K, V]) PutAll(ctx context.Context, pairs []Pair[K, V], opts ...kvstore.Option) error {
	var errs []error
	for _, p := range pairs {
		if err := s.Put(ctx, p.Key, p.Value, opts...); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Delete removes k.
func (s Store[K, V]) Delete(ctx context.Context, k K) error {
	return s.kv.Delete(ctx, s.Key(k))
}

// Page returns one page of keys below the store's prefix plus extra,
// together with the cursor for the next page.
func (s Store[K, V]) Page(ctx context.Context, extra, cursor string, limit int) (keys []K, next string, err error) {
	page, err := s.kv.List(ctx, kvstore.Keys(s.prefix+extra).After(cursor).Limit(limit))
	if err != nil {
		return nil, "", err
	}
	for _, info := range page.Keys {
		keys = append(keys, K(strings.TrimPrefix(info.Name, s.prefix)))
	}
	return keys, page.Cursor, nil
}
