// Package kvstore implements store.Store on a Workers KV namespace binding.
package kvstore

import (
	"context"
	"fmt"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/arcade/internal/store"
)

// jsNull is how syscall/js renders a JS null when converted to a Go string;
// KV resolves get() with null for a missing key.
const jsNull = "<null>"

type Store struct {
	binding  string
	ns       *kv.Namespace
	cacheTTL int
}

type Option func(*Store)

// WithEdgeCache sets cacheTtl on every read made through this store.
func WithEdgeCache(d time.Duration) Option {
	return func(s *Store) { s.cacheTTL = int(d.Seconds()) }
}

// Open binds to the namespace named in wrangler.toml.
func Open(binding string, opts ...Option) (*Store, error) {
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		return nil, fmt.Errorf("kvstore: open %s: %w", binding, err)
	}
	s := &Store{binding: binding, ns: ns}
	for _, o := range opts {
		o(s)
	}
	return s, nil
}

// Namespace exposes the raw binding for the few places that need it.
func (s *Store) Namespace() *kv.Namespace { return s.ns }

func (s *Store) Get(_ context.Context, key string) ([]byte, error) {
	var opts *kv.GetOptions
	if s.cacheTTL > 0 {
		opts = &kv.GetOptions{CacheTTL: s.cacheTTL}
	}
	v, err := s.ns.GetString(key, opts)
	if err != nil {
		return nil, fmt.Errorf("kvstore: get %s/%s: %w", s.binding, key, err)
	}
	if v == jsNull {
		return nil, store.ErrNotFound
	}
	return []byte(v), nil
}

func (s *Store) Put(_ context.Context, key string, value []byte, opts ...store.PutOption) error {
	o := store.ApplyPut(opts)
	var po *kv.PutOptions
	switch {
	case o.TTL > 0:
		po = &kv.PutOptions{ExpirationTTL: int(o.TTL / time.Second)}
	case !o.ExpireAt.IsZero():
		po = &kv.PutOptions{Expiration: int(o.ExpireAt.Unix())}
	}
	if err := s.ns.PutString(key, string(value), po); err != nil {
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

func (s *Store) List(_ context.Context, prefix string, opts ...store.ListOption) (store.Page, error) {
	o := store.ApplyList(opts)
	res, err := s.ns.List(&kv.ListOptions{Prefix: prefix, Cursor: o.Cursor, Limit: o.Limit})
	if err != nil {
		return store.Page{}, fmt.Errorf("kvstore: list %s/%s: %w", s.binding, prefix, err)
	}
	page := store.Page{Keys: make([]string, 0, len(res.Keys)), Cursor: res.Cursor, Complete: res.ListComplete}
	for _, k := range res.Keys {
		page.Keys = append(page.Keys, k.Name)
	}
	return page, nil
}

var _ store.Store = (*Store)(nil)
