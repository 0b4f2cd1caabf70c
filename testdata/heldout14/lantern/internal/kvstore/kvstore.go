//go:build js && wasm

// Package kvstore adapts a Workers KV namespace to the store ports.
package kvstore

import (
	"context"
	"fmt"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/lantern/internal/store"
)

// Null is what GetString returns for a missing key: syscall/js renders the
// JavaScript null as "<null>".
const Null = "<null>"

// minCacheTTL is the smallest cacheTtl the runtime accepts, in seconds.
const minCacheTTL = 30

// Namespace implements store.Store and store.Deleter over one KV binding.
type Namespace struct {
	ns       *kv.Namespace
	binding  string
	cacheTTL int
}

// Open binds the namespace named in wrangler.toml. cacheTTL is the edge
// cache lifetime of reads; zero keeps the runtime default.
func Open(binding string, cacheTTL time.Duration) (*Namespace, error) {
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		return nil, fmt.Errorf("kvstore: %w", err)
	}
	secs := int(cacheTTL.Seconds())
	if secs > 0 && secs < minCacheTTL {
		secs = minCacheTTL
	}
	return &Namespace{ns: ns, binding: binding, cacheTTL: secs}, nil
}

// Raw exposes the SDK namespace to packages that call it directly.
func (n *Namespace) Raw() *kv.Namespace { return n.ns }

// Get implements store.Getter.
func (n *Namespace) Get(_ context.Context, key string) ([]byte, error) {
	var opts *kv.GetOptions
	if n.cacheTTL > 0 {
		opts = &kv.GetOptions{CacheTTL: n.cacheTTL}
	}
	v, err := n.ns.GetString(key, opts)
	if err != nil {
		return nil, fmt.Errorf("kvstore: get %s/%s: %w", n.binding, key, err)
	}
	if v == Null {
		return nil, store.ErrNotFound
	}
	return []byte(v), nil
}

// Put implements store.Setter.
func (n *Namespace) Put(_ context.Context, key string, value []byte, opts store.PutOptions) error {
	var po *kv.PutOptions
	switch {
	case opts.TTL > 0:
		po = &kv.PutOptions{ExpirationTTL: int(opts.TTL.Seconds())}
	case !opts.ExpiresAt.IsZero():
		po = &kv.PutOptions{Expiration: int(opts.ExpiresAt.Unix())}
	}
	if err := n.ns.PutString(key, string(value), po); err != nil {
		return fmt.Errorf("kvstore: put %s/%s: %w", n.binding, key, err)
	}
	return nil
}

// Delete implements store.Deleter.
func (n *Namespace) Delete(_ context.Context, key string) error {
	if err := n.ns.Delete(key); err != nil {
		return fmt.Errorf("kvstore: delete %s/%s: %w", n.binding, key, err)
	}
	return nil
}

// List implements store.Lister.
func (n *Namespace) List(_ context.Context, prefix, cursor string, limit int) (store.Page, error) {
	res, err := n.ns.List(&kv.ListOptions{Prefix: prefix, Cursor: cursor, Limit: limit})
	if err != nil {
		return store.Page{}, fmt.Errorf("kvstore: list %s/%s: %w", n.binding, prefix, err)
	}
	p := store.Page{Keys: make([]string, len(res.Keys)), Cursor: res.Cursor, Complete: res.ListComplete}
	for i, k := range res.Keys {
		p.Keys[i] = k.Name
	}
	return p, nil
}
