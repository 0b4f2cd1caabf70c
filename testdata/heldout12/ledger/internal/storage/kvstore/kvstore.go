//go:build js && wasm

// Package kvstore adapts a Workers KV namespace to storage.Store.
package kvstore

import (
	"context"
	"fmt"

	"github.com/syumai/workers/cloudflare"

	"example.com/ledger/internal/consts"
	"example.com/ledger/internal/storage"
)

// nullText is how the runtime renders a JS null through GetString.
const nullText = "<null>"

// Store implements storage.Store on top of a KV namespace.
type Store struct {
	ns      *cloudflare.KVNamespace
	binding consts.Binding
}

var _ storage.Store = (*Store)(nil)

// Open binds the named namespace.
func Open(binding consts.Binding) (*Store, error) {
	ns, err := cloudflare.NewKVNamespace(string(binding))
	if err != nil {
		return nil, fmt.Errorf("kvstore: open %s: %w", binding, err)
	}
	return &Store{ns: ns, binding: binding}, nil
}

// Namespace exposes the underlying binding for code that needs stream access.
func (s *Store) Namespace() *cloudflare.KVNamespace { return s.ns }

func (s *Store) Get(_ context.Context, key string, opts ...storage.GetOption) (string, error) {
	o := storage.ApplyGet(opts)
	var gopts *cloudflare.KVNamespaceGetOptions
	if o.CacheFor > 0 {
		gopts = &cloudflare.KVNamespaceGetOptions{CacheTTL: int(o.CacheFor.Seconds())}
	}
	v, err := s.ns.GetString(key, gopts)
	if err != nil {
		return "", fmt.Errorf("kvstore: get %s/%s: %w", s.binding, key, err)
	}
	if v == nullText {
		return "", storage.ErrNotFound
	}
	return v, nil
}

func (s *Store) Put(_ context.Context, key, value string, opts ...storage.PutOption) error {
	o := storage.ApplyPut(opts)
	var popts *cloudflare.KVNamespacePutOptions
	if o.TTL > 0 || o.ExpireAtUnix > 0 {
		popts = &cloudflare.KVNamespacePutOptions{
			ExpirationTTL: int(o.TTL.Seconds()),
			Expiration:    int(o.ExpireAtUnix),
		}
	}
	if err := s.ns.PutString(key, value, popts); err != nil {
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

func (s *Store) List(_ context.Context, q storage.ListQuery) (storage.Page, error) {
	res, err := s.ns.List(&cloudflare.KVNamespaceListOptions{
		Prefix: q.Prefix,
		Cursor: q.Cursor,
		Limit:  q.Limit,
	})
	if err != nil {
		return storage.Page{}, fmt.Errorf("kvstore: list %s/%s: %w", s.binding, q.Prefix, err)
	}
	page := storage.Page{
		Keys:     make([]string, 0, len(res.Keys)),
		Cursor:   res.Cursor,
		Complete: res.ListComplete,
	}
	for _, k := range res.Keys {
		page.Keys = append(page.Keys, k.Name)
	}
	return page, nil
}
