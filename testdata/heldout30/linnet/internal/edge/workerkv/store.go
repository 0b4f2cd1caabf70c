//go:build js && wasm

// Package workerkv adapts a Workers KV binding (syumai/workers) to storage.Store.
// The binding is resolved per call: the runtime env only exists during an event.
package workerkv

import (
	"context"
	"fmt"
	"time"

	"example.com/linnet/internal/storage"
	"github.com/syumai/workers/cloudflare/kv"
)

// Null is what GetString returns for a missing key: syscall/js renders the
// JavaScript null as this string.
const Null = "<null>"

// Store is a storage.Store over one KV binding.
type Store struct {
	binding  string
	cacheTTL int
}

// New returns a Store for the named binding. readCache is how long the edge
// may cache values; the runtime rejects less than 30 seconds, so smaller
// values are raised.
func New(binding string, readCache time.Duration) *Store {
	return &Store{binding: binding, cacheTTL: int(max(readCache, 30*time.Second) / time.Second)}
}

var _ storage.Store = (*Store)(nil)

// Namespace resolves the binding for direct use by handlers. A missing
// binding is a deployment error, so it panics like the runtime lookup does.
func (s *Store) Namespace() *kv.Namespace {
	ns, err := kv.NewNamespace(s.binding)
	if err != nil {
		panic(fmt.Sprintf("workerkv: binding %s: %v", s.binding, err))
	}
	return ns
}

// Get reads key. Missing keys are reported as storage.ErrNotFound.
func (s *Store) Get(_ context.Context, key string) ([]byte, error) {
	v, err := s.Namespace().GetString(key, &kv.GetOptions{CacheTTL: s.cacheTTL})
	if err != nil {
		return nil, err
	}
	if v == Null {
		return nil, storage.ErrNotFound
	}
	return []byte(v), nil
}

// Raw returns the binding's string result for key as the runtime hands it
// over, for callers that interpret it themselves.
func (s *Store) Raw(key string) (string, error) {
	return s.Namespace().GetString(key, nil)
}

// Put writes value under key. The binding wrapper has no metadata support,
// so metadata is dropped.
func (s *Store) Put(_ context.Context, key string, value []byte, opts ...storage.PutOption) error {
	o := storage.ApplyPut(opts)
	var po *kv.PutOptions
	switch {
	case o.TTL > 0:
		po = &kv.PutOptions{ExpirationTTL: int(o.TTL.Seconds())}
	case !o.ExpiresAt.IsZero():
		po = &kv.PutOptions{Expiration: int(o.ExpiresAt.Unix())}
	}
	return s.Namespace().PutString(key, string(value), po)
}

func (s *Store) Delete(_ context.Context, key string) error {
	return s.Namespace().Delete(key)
}

// List returns one page of keys.
func (s *Store) List(_ context.Context, opts storage.ListOptions) (storage.ListPage, error) {
	res, err := s.Namespace().List(&kv.ListOptions{Prefix: opts.Prefix, Cursor: opts.Cursor, Limit: opts.Limit})
	if err != nil {
		return storage.ListPage{}, err
	}
	page := storage.ListPage{Cursor: res.Cursor, Complete: res.ListComplete}
	for _, k := range res.Keys {
		ki := storage.KeyInfo{Name: k.Name}
		if k.Expiration > 0 {
			ki.Expiration = time.Unix(int64(k.Expiration), 0)
		}
		page.Keys = append(page.Keys, ki)
	}
	return page, nil
}
