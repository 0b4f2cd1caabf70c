//go:build js && wasm

// Package kvstore adapts a Workers KV namespace to storage.Store.
package kvstore

import (
	"context"
	"fmt"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/boxoffice/internal/storage"
)

// nullString is what GetString returns for a key that does not exist: the
// JS null rendered by syscall/js.
const nullString = "<null>"

// Store is a storage.Store backed by one KV binding. The namespace is
// resolved on each call because the runtime env is only available while a
// request or scheduled event is being handled.
type Store struct {
	binding  string
	cacheTTL int
}

// Option configures a Store.
type Option func(*Store)

// WithCacheTTL sets the edge cache TTL, in seconds, used for reads.
func WithCacheTTL(seconds int) Option { return func(s *Store) { s.cacheTTL = seconds } }

// New returns a Store for the named binding.
func New(binding string, opts ...Option) *Store {
	s := &Store{binding: binding, cacheTTL: 60}
	for _, o := range opts {
		o(s)
	}
	return s
}

func (s *Store) ns() (*kv.Namespace, error) {
	ns, err := kv.NewNamespace(s.binding)
	if err != nil {
		return nil, fmt.Errorf("kvstore: binding %s: %w", s.binding, err)
	}
	return ns, nil
}

// Get returns the value of key, or storage.ErrNotFound.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	ns, err := s.ns()
	if err != nil {
		return nil, err
	}
	v, err := ns.GetString(key, &kv.GetOptions{CacheTTL: s.cacheTTL})
	if err != nil {
		return nil, &storage.OpError{Op: "get", Key: key, Err: err}
	}
	if v == nullString {
		return nil, &storage.OpError{Op: "get", Key: key, Err: storage.ErrNotFound}
	}
	return []byte(v), nil
}

// Put writes value under key.
func (s *Store) Put(ctx context.Context, key string, value []byte, opts ...storage.PutOption) error {
	ns, err := s.ns()
	if err != nil {
		return err
	}
	o := storage.Resolve(storage.PutOptions{}, opts...)
	var po *kv.PutOptions
	switch {
	case o.TTL > 0:
		po = &kv.PutOptions{ExpirationTTL: int(o.TTL.Seconds())}
	case !o.ExpireAt.IsZero():
		po = &kv.PutOptions{Expiration: int(o.ExpireAt.Unix())}
	}
	if err := ns.PutString(key, string(value), po); err != nil {
		return &storage.OpError{Op: "put", Key: key, Err: err}
	}
	return nil
}

// Delete removes key.
func (s *Store) Delete(ctx context.Context, key string) error {
	ns, err := s.ns()
	if err != nil {
		return err
	}
	if err := ns.Delete(key); err != nil {
		return &storage.OpError{Op: "delete", Key: key, Err: err}
	}
	return nil
}

// List returns one page of keys.
func (s *Store) List(ctx context.Context, opts storage.ListOptions) (storage.Page, error) {
	ns, err := s.ns()
	if err != nil {
		return storage.Page{}, err
	}
	res, err := ns.List(&kv.ListOptions{Prefix: opts.Prefix, Cursor: opts.Cursor, Limit: opts.Limit})
	if err != nil {
		return storage.Page{}, &storage.OpError{Op: "list", Key: opts.Prefix, Err: err}
	}
	page := storage.Page{Cursor: res.Cursor, Complete: res.ListComplete}
	page.Keys = make([]storage.KeyInfo, 0, len(res.Keys))
	for _, k := range res.Keys {
		page.Keys = append(page.Keys, storage.KeyInfo{Name: k.Name, Expiration: int64(k.Expiration)})
	}
	return page, nil
}

var _ storage.Store = (*Store)(nil)
