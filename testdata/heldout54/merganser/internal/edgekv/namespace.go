//go:build js && wasm

// Package edgekv adapts a Workers KV binding to the kvio interfaces.
package edgekv

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/kv"

	"merganser/internal/kvio"
)

// nullText is how syscall/js renders a JS null returned by KV.get.
const nullText = "<null>"

// Namespace is a Workers KV binding.
type Namespace struct {
	name string
	ns   *kv.Namespace
}

// Open binds the namespace declared as binding in wrangler.toml.
func Open(binding string) (*Namespace, error) {
	ns, err := cloudflare.NewKVNamespace(binding)
	if err != nil {
		return nil, fmt.Errorf("edgekv: bind %s: %w", binding, err)
	}
	return &Namespace{name: binding, ns: ns}, nil
}

// Raw exposes the underlying binding for callers that need options the
// adapter does not model.
func (n *Namespace) Raw() *kv.Namespace { return n.ns }

// Get implements kvio.Getter.
func (n *Namespace) Get(_ context.Context, key string) (string, error) {
	v, err := n.ns.GetString(key, nil)
	if err != nil {
		return "", fmt.Errorf("edgekv: get %s/%s: %w", n.name, key, err)
	}
	if v == nullText {
		return "", fmt.Errorf("edgekv: %s/%s: %w", n.name, key, kvio.ErrNotFound)
	}
	return v, nil
}

// Put implements kvio.Putter. ttl is rounded down to whole seconds.
func (n *Namespace) Put(_ context.Context, key, value string, ttl time.Duration) error {
	var opts *kv.PutOptions
	if ttl > 0 {
		opts = &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())}
	}
	if err := n.ns.PutString(key, value, opts); err != nil {
		return fmt.Errorf("edgekv: put %s/%s: %w", n.name, key, err)
	}
	return nil
}

// Delete implements kvio.Deleter.
func (n *Namespace) Delete(_ context.Context, key string) error {
	if err := n.ns.Delete(key); err != nil {
		return fmt.Errorf("edgekv: delete %s/%s: %w", n.name, key, err)
	}
	return nil
}

// List implements kvio.Lister.
func (n *Namespace) List(_ context.Context, prefix, cursor string, limit int) (kvio.Page, error) {
	res, err := n.ns.List(&kv.ListOptions{Prefix: prefix, Cursor: cursor, Limit: limit})
	if err != nil {
		return kvio.Page{}, fmt.Errorf("edgekv: list %s/%s: %w", n.name, prefix, err)
	}
	page := kvio.Page{Cursor: res.Cursor, Complete: res.ListComplete}
	for _, k := range res.Keys {
		page.Keys = append(page.Keys, k.Name)
	}
	return page, nil
}

// Reader decodes JSON values with an edge cache TTL.
type Reader struct {
	ns       *kv.Namespace
	cacheTTL int
}

// NewReader returns a Reader whose gets are cached at the edge for cacheTTL.
func NewReader(n *Namespace, cacheTTL time.Duration) *Reader {
	return &Reader{ns: n.ns, cacheTTL: int(cacheTTL / time.Second)}
}

// Into decodes the value under key into dst. A missing key yields
// kvio.ErrNotFound and leaves dst untouched.
func (r *Reader) Into(ctx context.Context, key string, dst any) error {
	v, err := r.ns.GetString(key, &kv.GetOptions{CacheTTL: r.cacheTTL})
	if err != nil {
		return err
	}
	if v == nullText {
		return fmt.Errorf("edgekv: %s: %w", key, kvio.ErrNotFound)
	}
	return json.Unmarshal([]byte(v), dst)
}

// Cache writes derived data with a floor on its lifetime, so callers can pass
// whatever freshness window they like.
type Cache struct {
	ns *kv.Namespace
}

// NewCache wraps n.
func NewCache(n *Namespace) *Cache { return &Cache{ns: n.ns} }

// Store writes value under key for roughly ttl.
func (c *Cache) Store(key, value string, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return c.ns.PutString(key, value, &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())})
}

// Fetch returns the cached value and whether it was present.
func (c *Cache) Fetch(key string) (string, bool, error) {
	v, err := c.ns.GetString(key, nil)
	if err != nil {
		return "", false, err
	}
	if v == nullText {
		return "", false, nil
	}
	return v, true, nil
}
