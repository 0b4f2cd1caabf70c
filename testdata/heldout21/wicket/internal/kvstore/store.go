// Package kvstore layers typed, prefixed records over kvport.Store.
package kvstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"strings"

	"example.com/wicket/internal/kvport"
)

// Store is a typed view of every key under one prefix.
type Store[K ~string, V any] struct {
	kv     kvport.Store
	prefix string
}

// New returns a store of JSON values under prefix.
func New[K ~string, V any](kv kvport.Store, prefix string) Store[K, V] {
	return Store[K, V]{kv: kv, prefix: prefix}
}

// Key renders the storage key for k.
func (s Store[K, V]) Key(k K) string { return s.prefix + string(k) }

// Get returns the value, whether it was present, and any error.
func (s Store[K, V]) Get(ctx context.Context, k K) (v V, found bool, err error) {
	raw, err := s.kv.Get(ctx, s.Key(k))
	switch {
	case errors.Is(err, kvport.ErrNotFound):
		return v, false, nil
	case err != nil:
		return v, false, err
	}
	if err = json.Unmarshal([]byte(raw), &v); err != nil {
		return v, false, fmt.Errorf("kvstore: decode %s: %w", s.Key(k), err)
	}
	return v, true, nil
}

// Put encodes and stores v.
func (s Store[K, V]) Put(ctx context.Context, k K, v V, opts ...kvport.PutOption) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("kvstore: encode %s: %w", s.Key(k), err)
	}
	return s.kv.Put(ctx, s.Key(k), string(raw), opts...)
}

// Delete removes k.
func (s Store[K, V]) Delete(ctx context.Context, k K) error {
	return s.kv.Delete(ctx, s.Key(k))
}

// Pages walks the listing page by page, following the cursor. The caller
// decides how far to go by stopping the iteration.
func (s Store[K, V]) Pages(ctx context.Context, pageSize int) iter.Seq2[kvport.Page, error] {
	return func(yield func(kvport.Page, error) bool) {
		q := kvport.Prefix(s.prefix).Limit(pageSize)
		for {
			page, err := s.kv.List(ctx, q)
			if err != nil {
				yield(kvport.Page{}, err)
				return
			}
			if !yield(page, nil) || page.Complete {
				return
			}
			q = q.After(page.Cursor)
		}
	}
}

// Keys flattens Pages into typed keys.
func (s Store[K, V]) Keys(ctx context.Context) iter.Seq2[K, error] {
	return func(yield func(K, error) bool) {
		for page, err := range s.Pages(ctx, 1000) {
			if err != nil {
				yield("", err)
				return
			}
			for _, ki := range page.Keys {
				if !yield(K(strings.TrimPrefix(ki.Name, s.prefix)), nil) {
					return
				}
			}
		}
	}
}
