//go:build js && wasm

// Package kvstore adapts a Workers KV binding to storage.Blob.
package kvstore

import (
	"context"
	"fmt"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/saffron/internal/storage"
)

// nullString is how a JavaScript null comes back through GetString.
const nullString = "<null>"

// Option configures the adapter.
type Option func(*kvStore)

// WithCacheTTL sets how long edge locations may cache reads.
func WithCacheTTL(d time.Duration) Option {
	return func(s *kvStore) { s.cacheTTL = int(d / time.Second) }
}

// WithPrefix namespaces every key.
func WithPrefix(p string) Option {
	return func(s *kvStore) { s.prefix = p }
}

type kvStore struct {
	ns       *kv.Namespace
	cacheTTL int
	prefix   string
}

var _ storage.Blob = (*kvStore)(nil)

// New wraps ns.
func New(ns *kv.Namespace, opts ...Option) storage.Blob {
	s := &kvStore{ns: ns}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Open looks the binding up by name.
func Open(binding string, opts ...Option) (storage.Blob, error) {
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		return nil, fmt.Errorf("kv binding %s: %w", binding, err)
	}
	return New(ns, opts...), nil
}

func (s *kvStore) getOptions() *kv.GetOptions {
	if s.cacheTTL == 0 {
		return nil
	}
	return &kv.GetOptions{CacheTTL: s.cacheTTL}
}

func (s *kvStore) Get(_ context.Context, key string) ([]byte, error) {
	v, err := s.ns.GetString(s.prefix+key, s.getOptions())
	if err != nil {
		return nil, err
	}
	if v == nullString {
		return nil, storage.ErrNotFound
	}
	return []byte(v), nil
}

func (s *kvStore) Put(_ context.Context, key string, value []byte, opts ...storage.PutOption) error {
	cfg := storage.Resolve(opts)
	var po *kv.PutOptions
	switch {
	case cfg.TTL > 0:
		po = &kv.PutOptions{ExpirationTTL: int(cfg.TTL.Seconds())}
	case !cfg.ExpireAt.IsZero():
		po = &kv.PutOptions{Expiration: int(cfg.ExpireAt.Unix())}
	}
	return s.ns.PutString(s.prefix+key, string(value), po)
}

func (s *kvStore) Delete(_ context.Context, key string) error {
	return s.ns.Delete(s.prefix + key)
}

func (s *kvStore) List(_ context.Context, prefix, cursor string, limit int) (storage.Page, error) {
	res, err := s.ns.List(&kv.ListOptions{Prefix: s.prefix + prefix, Cursor: cursor, Limit: limit})
	if err != nil {
		return storage.Page{}, err
	}
	page := storage.Page{Cursor: res.Cursor, Complete: res.ListComplete}
	for _, k := range res.Keys {
		page.Keys = append(page.Keys, storage.KeyInfo{Name: k.Name[len(s.prefix):], Expiration: int64(k.Expiration)})
	}
	return page, nil
}
