//go:build js && wasm

// Package kvstore adapts a Workers KV binding to storage.Store.
package kvstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/cinder/internal/storage"
)

// jsNull is how syscall/js renders a JavaScript null as a Go string; the
// binding resolves get() with null for a missing key.
const jsNull = "<null>"

// Store is a storage.Store backed by one KV namespace binding.
type Store struct {
	ns       *kv.Namespace
	prefix   string
	cacheTTL int
}

// Option configures a Store.
type Option func(*Store)

// WithCacheTTL asks the edge to cache reads for d (whole seconds).
func WithCacheTTL(d time.Duration) Option {
	return func(s *Store) { s.cacheTTL = int(d / time.Second) }
}

// Open binds to the namespace named binding in the Worker environment.
func Open(binding string, opts ...Option) (*Store, error) {
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		return nil, fmt.Errorf("kvstore: %w", err)
	}
	s := &Store{ns: ns}
	for _, o := range opts {
		o(s)
	}
	return s, nil
}

// Namespace exposes the underlying binding for code that needs raw access.
func (s *Store) Namespace() *kv.Namespace { return s.ns }

// ForTenant returns a view that prefixes every key with the tenant's scope.
func (s *Store) ForTenant(id string) storage.Store {
	return &Store{ns: s.ns, prefix: s.prefix + "t/" + id + "/", cacheTTL: s.cacheTTL}
}

func (s *Store) getOptions() *kv.GetOptions {
	if s.cacheTTL <= 0 {
		return nil
	}
	return &kv.GetOptions{CacheTTL: s.cacheTTL}
}

// Get implements storage.Getter.
func (s *Store) Get(_ context.Context, key string) ([]byte, error) {
	v, err := s.ns.GetString(s.prefix+key, s.getOptions())
	if err != nil {
		return nil, fmt.Errorf("kv get %s: %w", key, err)
	}
	if v == jsNull {
		return nil, storage.ErrNotFound
	}
	return []byte(v), nil
}

// Put implements storage.Putter. TTLs are passed through in whole seconds.
func (s *Store) Put(_ context.Context, key string, value []byte, opts ...storage.PutOption) error {
	o := storage.ApplyPut(opts)
	var po *kv.PutOptions
	if o.TTL > 0 || !o.ExpireAt.IsZero() {
		po = &kv.PutOptions{}
		if o.TTL > 0 {
			po.ExpirationTTL = int(o.TTL / time.Second)
		}
		if !o.ExpireAt.IsZero() {
			po.Expiration = int(o.ExpireAt.Unix())
		}
	}
	if err := s.ns.PutString(s.prefix+key, string(value), po); err != nil {
		return fmt.Errorf("kv put %s: %w", key, err)
	}
	return nil
}

// Delete implements storage.Deleter.
func (s *Store) Delete(_ context.Context, key string) error {
	if err := s.ns.Delete(s.prefix + key); err != nil {
		return fmt.Errorf("kv delete %s: %w", key, err)
	}
	return nil
}

// List implements storage.Lister. Limit is passed through unchanged.
func (s *Store) List(_ context.Context, q storage.ListQuery) (storage.Page, error) {
	res, err := s.ns.List(&kv.ListOptions{
		Prefix: s.prefix + q.Prefix,
		Cursor: q.Cursor,
		Limit:  q.Limit,
	})
	if err != nil {
		return storage.Page{}, fmt.Errorf("kv list %s: %w", q.Prefix, err)
	}
	page := storage.Page{Cursor: res.Cursor, Complete: res.ListComplete}
	page.Keys = make([]storage.KeyInfo, 0, len(res.Keys))
	for _, k := range res.Keys {
		info := storage.KeyInfo{Name: strings.TrimPrefix(k.Name, s.prefix)}
		if k.Expiration > 0 {
			info.ExpiresAt = time.Unix(int64(k.Expiration), 0).UTC()
		}
		page.Keys = append(page.Keys, info)
	}
	return page, nil
}
