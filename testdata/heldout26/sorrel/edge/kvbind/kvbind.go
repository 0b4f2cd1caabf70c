//go:build js && wasm

// Package kvbind adapts a Workers KV binding to the kvstore.Store port.
package kvbind

import (
	"context"
	"fmt"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/sorrel/internal/kvstore"
)

// jsNull is how syscall/js renders a JavaScript null as a Go string; the
// binding resolves get() with null for a missing key.
const jsNull = "<null>"

// minCacheTTL is the smallest cacheTtl the runtime accepts on reads.
const minCacheTTL = 30 * time.Second

// Namespace is a kvstore.Store backed by one KV binding.
type Namespace struct {
	ns      *kv.Namespace
	binding string
}

// Open looks up the binding by name in the worker environment.
func Open(binding string) (*Namespace, error) {
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		return nil, fmt.Errorf("kvbind: open %s: %w", binding, err)
	}
	return &Namespace{ns: ns, binding: binding}, nil
}

// Raw exposes the underlying binding for callers that need the SDK directly.
func (n *Namespace) Raw() *kv.Namespace { return n.ns }

func (n *Namespace) Get(ctx context.Context, key string, opts ...kvstore.Option) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	o := kvstore.Collect(opts...)
	var g *kv.GetOptions
	if o.CacheTTL > 0 {
		g = &kv.GetOptions{CacheTTL: int(max(o.CacheTTL, minCacheTTL) / time.Second)}
	}
	v, err := n.ns.GetString(key, g)
	if err != nil {
		return nil, fmt.Errorf("kvbind: get %s: %w", key, err)
	}
	if v == jsNull {
		return nil, kvstore.ErrNotFound
	}
	return []byte(v), nil
}

// Put implements kvstore.Store. Metadata is not supported by the binding
// wrapper and is dropped.
func (n *Namespace) Put(ctx context.Context, key string, value []byte, opts ...kvstore.Option) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	o := kvstore.Collect(opts...)
	var po *kv.PutOptions
	if o.TTL > 0 || !o.ExpireAt.IsZero() {
		po = &kv.PutOptions{}
		if o.TTL > 0 {
			po.ExpirationTTL = int(o.TTL / time.Second)
		}
		if !o.ExpireAt.IsZero() {
			po.Expiration = int(o.ExpireAt.Unix())
		}
	}
	if err := n.ns.PutString(key, string(value), po); err != nil {
		return fmt.Errorf("kvbind: put %s: %w", key, err)
	}
	return nil
}

func (n *Namespace) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return n.ns.Delete(key)
}

func (n *Namespace) List(ctx context.Context, prefix string, opts ...kvstore.Option) (kvstore.Page, error) {
	if err := ctx.Err(); err != nil {
		return kvstore.Page{}, err
	}
	o := kvstore.Collect(opts...)
	res, err := n.ns.List(&kv.ListOptions{Prefix: prefix, Cursor: o.Cursor, Limit: o.Limit})
	if err != nil {
		return kvstore.Page{}, fmt.Errorf("kvbind: list %s: %w", prefix, err)
	}
	page := kvstore.Page{Cursor: res.Cursor, Complete: res.ListComplete}
	for _, k := range res.Keys {
		ki := kvstore.KeyInfo{Name: k.Name}
		if k.Expiration > 0 {
			ki.Expiration = time.Unix(int64(k.Expiration), 0)
		}
		page.Keys = append(page.Keys, ki)
	}
	return page, nil
}
