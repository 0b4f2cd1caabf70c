//go:build js && wasm

// Package kvstore is the Workers KV driver for the storage port, built on
// the syumai/workers KV binding.
package kvstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/mosaic/internal/storage"
)

// nullValue is how the binding renders a missing key through GetString.
const nullValue = "<null>"

func init() {
	storage.Register("kv", Open)
}

// Store adapts a KV namespace to storage.Store.
type Store struct {
	ns       *kv.Namespace
	cacheTTL int
}

// Open opens the namespace named by opts["binding"]. An optional
// opts["cache_ttl"] sets the edge cache TTL of reads in seconds.
func Open(opts map[string]string) (storage.Store, error) {
	binding := opts["binding"]
	if binding == "" {
		return nil, errors.New("kvstore: binding option is required")
	}
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		return nil, fmt.Errorf("kvstore: %w", err)
	}
	s := &Store{ns: ns}
	if v := opts["cache_ttl"]; v != "" {
		s.cacheTTL, err = strconv.Atoi(v)
	}
	return s, err
}

// Get returns storage.ErrNotFound for missing keys.
func (s *Store) Get(_ context.Context, key string) ([]byte, error) {
	var opts *kv.GetOptions
	if s.cacheTTL > 0 {
		opts = &kv.GetOptions{CacheTTL: s.cacheTTL}
	}
	v, err := s.ns.GetString(key, opts)
	if err != nil {
		return nil, fmt.Errorf("kvstore: get %q: %w", key, err)
	}
	if v == nullValue {
		return nil, storage.ErrNotFound
	}
	return []byte(v), nil
}

// Put writes value; TTLs are converted to whole seconds.
func (s *Store) Put(_ context.Context, key string, value []byte, opts storage.PutOptions) error {
	var po *kv.PutOptions
	switch {
	case opts.TTL > 0:
		po = &kv.PutOptions{ExpirationTTL: int(opts.TTL / time.Second)}
	case !opts.ExpireAt.IsZero():
		po = &kv.PutOptions{Expiration: int(opts.ExpireAt.Unix())}
	}
	if err := s.ns.PutString(key, string(value), po); err != nil {
		return fmt.Errorf("kvstore: put %q: %w", key, err)
	}
	return nil
}

// Delete removes key.
func (s *Store) Delete(_ context.Context, key string) error {
	if err := s.ns.Delete(key); err != nil {
		return fmt.Errorf("kvstore: delete %q: %w", key, err)
	}
	return nil
}

// List returns one page of keys.
func (s *Store) List(_ context.Context, prefix, cursor string, limit int) (storage.Page, error) {
	res, err := s.ns.List(&kv.ListOptions{Prefix: prefix, Cursor: cursor, Limit: limit})
	if err != nil {
		return storage.Page{}, fmt.Errorf("kvstore: list %q: %w", prefix, err)
	}
	page := storage.Page{Cursor: res.Cursor, Done: res.ListComplete}
	page.Keys = make([]storage.Key, 0, len(res.Keys))
	for _, k := range res.Keys {
		key := storage.Key{Name: k.Name}
		if k.Expiration > 0 {
			key.Expiration = time.Unix(int64(k.Expiration), 0)
		}
		page.Keys = append(page.Keys, key)
	}
	return page, nil
}
