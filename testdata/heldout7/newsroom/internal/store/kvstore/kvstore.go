// Package kvstore adapts a Workers KV namespace binding to store.Store.
package kvstore

import (
	"context"
	"fmt"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/newsroom/internal/store"
)

// jsNull is how syscall/js renders a JS null when asked for a string; the KV
// binding resolves get() with null for keys that do not exist.
const jsNull = "<null>"

// Namespace implements store.Store on top of a KV binding.
type Namespace struct {
	binding string
	ns      *kv.Namespace
}

var _ store.Store = (*Namespace)(nil)

// Open binds to the KV namespace exposed to the Worker as binding.
func Open(binding string) (*Namespace, error) {
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		return nil, fmt.Errorf("kvstore: open %s: %w", binding, err)
	}
	return &Namespace{binding: binding, ns: ns}, nil
}

// Raw exposes the underlying binding for code that needs SDK features the
// port does not model.
func (n *Namespace) Raw() *kv.Namespace { return n.ns }

func (n *Namespace) Get(_ context.Context, key string) ([]byte, error) {
	v, err := n.ns.GetString(key, nil)
	if err != nil {
		return nil, fmt.Errorf("kvstore: get %q from %s: %w", key, n.binding, err)
	}
	if v == jsNull {
		return nil, store.ErrNotFound
	}
	return []byte(v), nil
}

func (n *Namespace) Put(_ context.Context, key string, value []byte, opts ...store.PutOption) error {
	cfg := store.Apply(opts)
	var po *kv.PutOptions
	if cfg.TTL > 0 || !cfg.ExpiresAt.IsZero() {
		po = &kv.PutOptions{}
		if cfg.TTL > 0 {
			po.ExpirationTTL = int(cfg.TTL.Seconds())
		}
		if !cfg.ExpiresAt.IsZero() {
			po.Expiration = int(cfg.ExpiresAt.Unix())
		}
	}
	if err := n.ns.PutString(key, string(value), po); err != nil {
		return fmt.Errorf("kvstore: put %q to %s: %w", key, n.binding, err)
	}
	return nil
}

func (n *Namespace) Delete(_ context.Context, key string) error {
	if err := n.ns.Delete(key); err != nil {
		return fmt.Errorf("kvstore: delete %q from %s: %w", key, n.binding, err)
	}
	return nil
}

func (n *Namespace) List(_ context.Context, p store.ListParams) (store.Page, error) {
	res, err := n.ns.List(&kv.ListOptions{Prefix: p.Prefix, Cursor: p.Cursor, Limit: p.Limit})
	if err != nil {
		return store.Page{}, fmt.Errorf("kvstore: list %q in %s: %w", p.Prefix, n.binding, err)
	}
	page := store.Page{Cursor: res.Cursor, Complete: res.ListComplete}
	page.Keys = make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		page.Keys = append(page.Keys, k.Name)
	}
	return page, nil
}
