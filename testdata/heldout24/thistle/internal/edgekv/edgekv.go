//go:build js && wasm

// Package edgekv adapts a Workers KV binding to the store ports.
package edgekv

import (
	"context"
	"fmt"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/thistle/internal/store"
)

// nullString is how syscall/js renders a JavaScript null as a Go string,
// which is what GetString yields for a missing key.
const nullString = "<null>"

// Namespace is a KV binding, optionally scoped under a key prefix.
type Namespace struct {
	ns       *kv.Namespace
	prefix   string
	cacheTTL time.Duration
}

// Option configures a Namespace.
type Option func(*Namespace)

// WithEdgeCache sets the cacheTtl passed on every read.
func WithEdgeCache(d time.Duration) Option { return func(n *Namespace) { n.cacheTTL = d } }

// Open binds the named KV namespace from the worker environment.
func Open(binding string, opts ...Option) (*Namespace, error) {
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		return nil, fmt.Errorf("edgekv: %w", err)
	}
	n := &Namespace{ns: ns}
	for _, o := range opts {
		o(n)
	}
	return n, nil
}

// Binding exposes the underlying SDK namespace for code that needs it.
func (n *Namespace) Binding() *kv.Namespace { return n.ns }

func (n *Namespace) getOptions() *kv.GetOptions {
	if n.cacheTTL <= 0 {
		return nil
	}
	return &kv.GetOptions{CacheTTL: int(n.cacheTTL / time.Second)}
}

// Get implements store.Getter.
func (n *Namespace) Get(_ context.Context, key string) ([]byte, error) {
	v, err := n.ns.GetString(n.prefix+key, n.getOptions())
	if err != nil {
		return nil, fmt.Errorf("edgekv: get %q: %w", key, err)
	}
	if v == nullString {
		return nil, store.ErrNotFound
	}
	return []byte(v), nil
}

// Raw returns the value exactly as the binding reports it.
func (n *Namespace) Raw(key string) (string, error) {
	return n.ns.GetString(n.prefix+key, n.getOptions())
}

// Put implements store.Putter. TTLs are passed through in whole seconds.
func (n *Namespace) Put(_ context.Context, key string, value []byte, opts store.PutOptions) error {
	var po *kv.PutOptions
	switch {
	case opts.TTL > 0:
		po = &kv.PutOptions{ExpirationTTL: int(opts.TTL / time.Second)}
	case !opts.ExpireAt.IsZero():
		po = &kv.PutOptions{Expiration: int(opts.ExpireAt.Unix())}
	}
	if err := n.ns.PutString(n.prefix+key, string(value), po); err != nil {
		return fmt.Errorf("edgekv: put %q: %w", key, err)
	}
	return nil
}

// Delete implements store.Deleter.
func (n *Namespace) Delete(_ context.Context, key string) error {
	if err := n.ns.Delete(n.prefix + key); err != nil {
		return fmt.Errorf("edgekv: delete %q: %w", key, err)
	}
	return nil
}

// List implements store.Lister. It returns a single page and its cursor.
func (n *Namespace) List(_ context.Context, q store.ListQuery) (store.Page, error) {
	res, err := n.ns.List(&kv.ListOptions{Prefix: n.prefix + q.Prefix, Cursor: q.Cursor, Limit: q.Limit})
	if err != nil {
		return store.Page{}, fmt.Errorf("edgekv: list %q: %w", q.Prefix, err)
	}
	page := store.Page{Cursor: res.Cursor, Complete: res.ListComplete}
	for _, k := range res.Keys {
		e := store.Entry{Key: k.Name[len(n.prefix):]}
		if k.Expiration > 0 {
			e.Expiration = time.Unix(int64(k.Expiration), 0)
		}
		page.Entries = append(page.Entries, e)
	}
	return page, nil
}

// ForTenant implements store.Scoper.
func (n *Namespace) ForTenant(id string) store.Store {
	return &Namespace{ns: n.ns, prefix: n.prefix + "t/" + id + "/", cacheTTL: n.cacheTTL}
}
