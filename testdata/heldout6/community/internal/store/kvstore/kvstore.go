// Package kvstore adapts a Workers KV namespace binding to store.KV.
package kvstore

import (
	"context"
	"fmt"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/community/internal/store"
)

// syscall/js renders the JS null that get() resolves to for a missing key
// as this string.
const jsNull = "<null>"

// Store is a store.KV backed by one KV namespace.
type Store struct {
	ns      *kv.Namespace
	binding string
}

// Open binds to the namespace named in wrangler.toml.
func Open(binding string) (*Store, error) {
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		return nil, fmt.Errorf("kvstore: %w", err)
	}
	return &Store{ns: ns, binding: binding}, nil
}

// Namespace exposes the raw binding for handlers that need it directly.
func (s *Store) Namespace() *kv.Namespace { return s.ns }

func (s *Store) Get(_ context.Context, key string, opts ...store.GetOption) ([]byte, error) {
	var gopts *kv.GetOptions
	if o := store.Apply(opts); o.CacheTTL > 0 {
		gopts = &kv.GetOptions{CacheTTL: int(o.CacheTTL / time.Second)}
	}
	v, err := s.ns.GetString(key, gopts)
	if err != nil {
		return nil, fmt.Errorf("kv %s get %q: %w", s.binding, key, err)
	}
	if v == jsNull {
		return nil, store.ErrNotFound
	}
	return []byte(v), nil
}

func (s *Store) Put(_ context.Context, key string, value []byte, opts ...store.PutOption) error {
	var popts *kv.PutOptions
	switch o := store.Apply(opts); {
	case o.TTL > 0:
		popts = &kv.PutOptions{ExpirationTTL: int(o.TTL / time.Second)}
	case !o.ExpireAt.IsZero():
		popts = &kv.PutOptions{Expiration: int(o.ExpireAt.Unix())}
	}
	if err := s.ns.PutString(key, string(value), popts); err != nil {
		return fmt.Errorf("kv %s put %q: %w", s.binding, key, err)
	}
	return nil
}

func (s *Store) Delete(_ context.Context, key string) error {
	if err := s.ns.Delete(key); err != nil {
		return fmt.Errorf("kv %s delete %q: %w", s.binding, key, err)
	}
	return nil
}

func (s *Store) List(_ context.Context, opts store.ListOptions) (store.ListPage, error) {
	res, err := s.ns.List(&kv.ListOptions{Prefix: opts.Prefix, Cursor: opts.Cursor, Limit: opts.Limit})
	if err != nil {
		return store.ListPage{}, fmt.Errorf("kv %s list %q: %w", s.binding, opts.Prefix, err)
	}
	page := store.ListPage{Cursor: res.Cursor, Complete: res.ListComplete}
	for _, k := range res.Keys {
		page.Keys = append(page.Keys, k.Name)
	}
	return page, nil
}
