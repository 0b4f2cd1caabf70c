//go:build js && wasm

// Package kvjs binds kvport.Store to a Workers KV namespace.
package kvjs

import (
	"context"
	"fmt"

	"github.com/syumai/workers/cloudflare"

	"example.com/wicket/internal/kvport"
)

// jsNull is how syscall/js renders a JavaScript null as a Go string; the
// runtime resolves get() with null for a missing key.
const jsNull = "<null>"

// Namespace adapts one binding.
type Namespace struct {
	binding string
	kv      *cloudflare.KVNamespace
}

var _ kvport.Store = (*Namespace)(nil)

// Open resolves a binding declared in wrangler.toml.
func Open(binding string) (*Namespace, error) {
	kv, err := cloudflare.NewKVNamespace(binding)
	if err != nil {
		return nil, fmt.Errorf("kvjs: open %s: %w", binding, err)
	}
	return &Namespace{binding: binding, kv: kv}, nil
}

// Raw exposes the SDK namespace to packages that need options the port does
// not model.
func (n *Namespace) Raw() *cloudflare.KVNamespace { return n.kv }

func (n *Namespace) Get(_ context.Context, key string) (string, error) {
	v, err := n.kv.GetString(key, nil)
	if err != nil {
		return "", fmt.Errorf("kvjs: get %s/%s: %w", n.binding, key, err)
	}
	if v == jsNull {
		return "", kvport.ErrNotFound
	}
	return v, nil
}

func (n *Namespace) Put(_ context.Context, key, value string, opts ...kvport.PutOption) error {
	s := kvport.Resolve(opts...)
	var po *cloudflare.KVNamespacePutOptions
	if s.TTLSeconds != 0 || s.ExpiresAt != 0 {
		po = &cloudflare.KVNamespacePutOptions{
			ExpirationTTL: s.TTLSeconds,
			Expiration:    int(s.ExpiresAt),
		}
	}
	if err := n.kv.PutString(key, value, po); err != nil {
		return fmt.Errorf("kvjs: put %s/%s: %w", n.binding, key, err)
	}
	return nil
}

func (n *Namespace) Delete(_ context.Context, key string) error {
	if err := n.kv.Delete(key); err != nil {
		return fmt.Errorf("kvjs: delete %s/%s: %w", n.binding, key, err)
	}
	return nil
}

func (n *Namespace) List(_ context.Context, q kvport.Query) (kvport.Page, error) {
	res, err := n.kv.List(&cloudflare.KVNamespaceListOptions{
		Prefix: q.PrefixValue(),
		Cursor: q.CursorValue(),
		Limit:  q.LimitValue(),
	})
	if err != nil {
		return kvport.Page{}, fmt.Errorf("kvjs: list %s/%s: %w", n.binding, q.PrefixValue(), err)
	}
	page := kvport.Page{Cursor: res.Cursor, Complete: res.ListComplete}
	page.Keys = make([]kvport.KeyInfo, 0, len(res.Keys))
	for _, k := range res.Keys {
		page.Keys = append(page.Keys, kvport.KeyInfo{Name: k.Name, Expiration: int64(k.Expiration)})
	}
	return page, nil
}
