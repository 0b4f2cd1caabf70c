//go:build js && wasm

// Package kvstore adapts a Workers KV binding to the storage port.
package kvstore

import (
	"context"
	"fmt"
	"sync"

	"example.com/saffron/internal/store"
	"github.com/syumai/workers/cloudflare/kv"
)

const jsNull = "<null>"

// Store implements store.Store over one KV namespace. The namespace handle
// is resolved on first use, once the runtime environment is available.
type Store struct {
	binding string
	ns      func() (*kv.Namespace, error)
}

var _ store.Store = (*Store)(nil)

// New returns a Store for the named binding.
func New(binding string) *Store {
	return &Store{
		binding: binding,
		ns: sync.OnceValues(func() (*kv.Namespace, error) {
			return kv.NewNamespace(binding)
		}),
	}
}

func (s *Store) namespace() (*kv.Namespace, error) {
	ns, err := s.ns()
	if err != nil {
		return nil, fmt.Errorf("kvstore %s: %w", s.binding, err)
	}
	return ns, nil
}

// Get implements store.Reader.
func (s *Store) Get(_ context.Context, key string) ([]byte, error) {
	ns, err := s.namespace()
	if err != nil {
		return nil, err
	}
	v, err := ns.GetString(key, nil)
	if err != nil {
		return nil, fmt.Errorf("kvstore %s: get %q: %w", s.binding, key, err)
	}
	if v == jsNull {
		return nil, store.ErrNotFound
	}
	return []byte(v), nil
}

// Put implements store.Writer.
func (s *Store) Put(_ context.Context, key string, value []byte, ttl store.Seconds) error {
	ns, err := s.namespace()
	if err != nil {
		return err
	}
	var opts *kv.PutOptions
	if ttl > 0 {
		opts = &kv.PutOptions{ExpirationTTL: int(ttl)}
	}
	if err := ns.PutString(key, string(value), opts); err != nil {
		return fmt.Errorf("kvstore %s: put %q: %w", s.binding, key, err)
	}
	return nil
}

// Delete implements store.Writer.
func (s *Store) Delete(_ context.Context, key string) error {
	ns, err := s.namespace()
	if err != nil {
		return err
	}
	if err := ns.Delete(key); err != nil {
		return fmt.Errorf("kvstore %s: delete %q: %w", s.binding, key, err)
	}
	return nil
}

// List implements store.Lister.
func (s *Store) List(_ context.Context, q store.Query) (store.Page, error) {
	ns, err := s.namespace()
	if err != nil {
		return store.Page{}, err
	}
	res, err := ns.List(&kv.ListOptions{Prefix: q.Prefix, Cursor: q.Cursor, Limit: q.Limit})
	if err != nil {
		return store.Page{}, fmt.Errorf("kvstore %s: list %q: %w", s.binding, q.Prefix, err)
	}
	page := store.Page{Cursor: res.Cursor, Complete: res.ListComplete}
	page.Keys = make([]store.KeyInfo, 0, len(res.Keys))
	for _, k := range res.Keys {
		page.Keys = append(page.Keys, store.KeyInfo{Name: k.Name, Expiration: int64(k.Expiration)})
	}
	return page, nil
}
