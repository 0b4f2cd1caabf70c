// Package typed provides generic, JSON-encoded views over a byte store.
package typed

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"example.com/mosaic/internal/storage"
)

// Validator is implemented by values that check themselves before writes.
type Validator interface {
	Validate() error
}

// Store is a typed view of the keys under one prefix. K is usually a named
// string type such as an album or token ID.
type Store[K ~string, V any] struct {
	raw    storage.Store
	prefix string
	opts   storage.PutOptions
}

// New returns a typed store for keys prefix+K. defaults are the options
// used by Put when the caller passes none.
func New[K ~string, V any](raw storage.Store, prefix string, defaults storage.PutOptions) *Store[K, V] {
	return &Store[K, V]{raw: raw, prefix: prefix, opts: defaults}
}

// Key returns the storage key for k.
func (s *Store[K, V]) Key(k K) string { return s.prefix + string(k) }

// Get decodes the value stored for k.
func (s *Store[K, V]) Get(ctx context.Context, k K) (V, error) {
	var v V
	raw, err := s.raw.Get(ctx, s.Key(k))
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return v, fmt.Errorf("typed: decode %s: %w", s.Key(k), err)
	}
	return v, nil
}

// Lookup is Get with the miss folded into a boolean.
func (s *Store[K, V]) Lookup(ctx context.Context, k K) (V, bool, error) {
	v, err := s.Get(ctx, k)
	if storage.IsNotFound(err) {
		return v, false, nil
	}
	return v, err == nil, err
}

// Put validates and encodes v. Without opts the store defaults apply.
func (s *Store[K, V]) Put(ctx context.Context, k K, v V, opts ...storage.PutOptions) error {
	if val, ok := any(v).(Validator); ok {
		if err := val.Validate(); err != nil {
			return err
		}
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("typed: encode %s: %w", s.Key(k), err)
	}
	o := s.opts
	if len(opts) > 0 {
		o = opts[0]
	}
	return s.raw.Put(ctx, s.Key(k), raw, o)
}

// Delete removes k.
func (s *Store[K, V]) Delete(ctx context.Context, k K) error {
	return s.raw.Delete(ctx, s.Key(k))
}

// Page lists one page of IDs under the store prefix plus sub.
func (s *Store[K, V]) Page(ctx context.Context, sub, cursor string, limit int) ([]K, string, bool, error) {
	page, err := s.raw.List(ctx, s.prefix+sub, cursor, limit)
	if err != nil {
		return nil, "", false, err
	}
	ids := make([]K, 0, len(page.Keys))
	for _, k := range page.Keys {
		ids = append(ids, K(strings.TrimPrefix(k.Name, s.prefix)))
	}
	return ids, page.Cursor, page.Done, nil
}
