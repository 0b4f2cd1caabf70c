// Package kvstore adapts a Workers KV namespace to store.Store.
package kvstore

import (
	"context"
	"fmt"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/pressroom/internal/store"
)

// jsNull is how syscall/js renders a JS null, which KV returns for a miss.
const jsNull = "<null>"

// Namespace is a store.Store backed by one KV binding.
type Namespace struct {
	ns       *kv.Namespace
	binding  string
	cacheTTL time.Duration
}

// Option configures a Namespace.
type Option func(*Namespace)

// WithReadCacheTTL sets the edge cache lifetime of reads (cacheTtl).
func WithReadCacheTTL(d time.Duration) Option {
	return func(n *Namespace) { n.cacheTTL = d }
}

// Open binds to the KV namespace named binding in wrangler.jsonc.
func Open(binding string, opts ...Option) (*Namespace, error) {
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		return nil, fmt.Errorf("kvstore: open %s: %w", binding, err)
	}
	n := &Namespace{ns: ns, binding: binding}
	for _, opt := range opts {
		opt(n)
	}
	return n, nil
}

// Raw exposes the SDK namespace for code that needs options the port lacks.
func (n *Namespace) Raw() *kv.Namespace { return n.ns }

func (n *Namespace) Get(_ context.Context, key string) (string, bool, error) {
	var opts *kv.GetOptions
	if n.cacheTTL > 0 {
		opts = &kv.GetOptions{CacheTTL: int(n.cacheTTL.Seconds())}
	}
	v, err := n.ns.GetString(key, opts)
	if err != nil {
		return "", false, fmt.Errorf("kvstore: get %s/%s: %w", n.binding, key, err)
	}
	if v == jsNull {
		return "", false, nil
	}
	return v, true, nil
}

func (n *Namespace) Put(_ context.Context, key, value string, opts ...store.PutOption) error {
	o := store.Resolve(opts...)
	var po *kv.PutOptions
	if o.TTL > 0 || !o.ExpireAt.IsZero() {
		po = &kv.PutOptions{}
		if o.TTL > 0 {
			po.ExpirationTTL = int(o.TTL.Seconds())
		} else {
			po.Expiration = int(o.ExpireAt.Unix())
		}
	}
	if err := n.ns.PutString(key, value, po); err != nil {
		return fmt.Errorf("kvstore: put %s/%s: %w", n.binding, key, err)
	}
	return nil
}

func (n *Namespace) Delete(_ context.Context, key string) error {
	if err := n.ns.Delete(key); err != nil {
		return fmt.Errorf("kvstore: delete %s/%s: %w", n.binding, key, err)
	}
	return nil
}

func (n *Namespace) List(_ context.Context, prefix, cursor string, limit int) (store.Page, error) {
	res, err := n.ns.List(&kv.ListOptions{Prefix: prefix, Cursor: cursor, Limit: limit})
	if err != nil {
		return store.Page{}, fmt.Errorf("kvstore: list %s/%s: %w", n.binding, prefix, err)
	}
	page := store.Page{Cursor: res.Cursor, Complete: res.ListComplete, Keys: make([]string, 0, len(res.Keys))}
	for _, k := range res.Keys {
		page.Keys = append(page.Keys, k.Name)
	}
	return page, nil
}

var _ store.Store = (*Namespace)(nil)
