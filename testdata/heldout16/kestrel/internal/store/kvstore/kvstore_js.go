//go:build js && wasm

// Package kvstore adapts a Workers KV namespace to store.Store.
package kvstore

import (
	"context"
	"fmt"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/kestrel/internal/store"
)

// nullValue is how syscall/js renders the JS null that KV returns for a
// key with no value.
const nullValue = "<null>"

// Store is a store.Store backed by one KV namespace binding.
type Store struct {
	ns      *kv.Namespace
	binding string
}

// Open binds to the namespace named in wrangler.toml.
func Open(binding string) (store.Store, error) {
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		return nil, fmt.Errorf("kvstore: open %s: %w", binding, err)
	}
	return &Store{ns: ns, binding: binding}, nil
}

func (s *Store) Get(_ context.Context, key string) (string, error) {
	v, err := s.ns.GetString(key, nil)
	if err != nil {
		return "", fmt.Errorf("kvstore: get %s/%s: %w", s.binding, key, err)
	}
	if v == nullValue {
		return "", store.ErrNotFound
	}
	return v, nil
}

func (s *Store) Put(_ context.Context, key, value string, ttl time.Duration) error {
	var opts *kv.PutOptions
	if ttl > 0 {
		opts = &kv.PutOptions{ExpirationTTL: int(ttl / time.Second)}
	}
	if err := s.ns.PutString(key, value, opts); err != nil {
		return fmt.Errorf("kvstore: put %s/%s: %w", s.binding, key, err)
	}
	return nil
}

func (s *Store) Delete(_ context.Context, key string) error {
	if err := s.ns.Delete(key); err != nil {
		return fmt.Errorf("kvstore: delete %s/%s: %w", s.binding, key, err)
	}
	return nil
}

func (s *Store) List(_ context.Context, q store.ListQuery) (store.Page, error) {
	res, err := s.ns.List(&kv.ListOptions{Prefix: q.Prefix, Cursor: q.Cursor, Limit: q.Limit})
	if err != nil {
		return store.Page{}, fmt.Errorf("kvstore: list %s/%s*: %w", s.binding, q.Prefix, err)
	}
	page := store.Page{Cursor: res.Cursor, Complete: res.ListComplete, Keys: make([]string, 0, len(res.Keys))}
	for _, k := range res.Keys {
		page.Keys = append(page.Keys, k.Name)
	}
	return page, nil
}
