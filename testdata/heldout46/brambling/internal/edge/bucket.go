//go:build js && wasm

// Package edge is the storefront Worker: menus, stock, carts and
// sessions served from Workers KV.
package edge

import (
	"fmt"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/kv"
)

// jsNull is what GetString returns for a missing key: syscall/js renders
// a JavaScript null as "<null>".
const jsNull = "<null>"

// Bucket wraps one KV binding.
type Bucket struct {
	ns   *kv.Namespace
	name string
}

// Open binds the KV namespace declared in wrangler.toml.
func Open(binding string) (*Bucket, error) {
	ns, err := cloudflare.NewKVNamespace(binding)
	if err != nil {
		return nil, fmt.Errorf("edge: bind %s: %w", binding, err)
	}
	return &Bucket{ns: ns, name: binding}, nil
}

// Get reads key, letting the edge cache it for cacheTTL seconds (0 for
// the runtime default).
func (b *Bucket) Get(key string, cacheTTL int) (string, bool, error) {
	var opts *kv.GetOptions
	if cacheTTL > 0 {
		opts = &kv.GetOptions{CacheTTL: cacheTTL}
	}
	v, err := b.ns.GetString(key, opts)
	if err != nil {
		return "", false, fmt.Errorf("edge: get %s/%s: %w", b.name, key, err)
	}
	if v == jsNull {
		return "", false, nil
	}
	return v, true, nil
}

// Put writes val; ttl 0 means no expiry.
func (b *Bucket) Put(key, val string, ttl time.Duration) error {
	var opts *kv.PutOptions
	if ttl > 0 {
		opts = &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())}
	}
	return b.ns.PutString(key, val, opts)
}

// PutFor writes val for at least KV's minimum lifetime.
func (b *Bucket) PutFor(key, val string, ttl time.Duration) error {
	return b.Put(key, val, max(ttl, time.Minute))
}

// Delete removes key.
func (b *Bucket) Delete(key string) error {
	return b.ns.Delete(key)
}

// Page lists one page under prefix and returns it with the cursor for
// the next call; the cursor is empty on the last page.
func (b *Bucket) Page(prefix, cursor string, limit int) ([]string, string, error) {
	res, err := b.ns.List(&kv.ListOptions{Prefix: prefix, Cursor: cursor, Limit: limit})
	if err != nil {
		return nil, "", err
	}
	names := make([]string, len(res.Keys))
	for i, k := range res.Keys {
		names[i] = k.Name
	}
	if res.ListComplete {
		return names, "", nil
	}
	return names, res.Cursor, nil
}

// Scan calls fn for each key under prefix, reading at most maxPages pages.
// It returns the cursor to resume from, empty when done.
func (b *Bucket) Scan(prefix string, maxPages int, fn func(k *kv.ListKey) error) (string, error) {
	opts := &kv.ListOptions{Prefix: prefix}
	for page := 0; page < maxPages; page++ {
		res, err := b.ns.List(opts)
		if err != nil {
			return opts.Cursor, err
		}
		for _, k := range res.Keys {
			if err := fn(k); err != nil {
				return opts.Cursor, err
			}
		}
		if res.ListComplete {
			return "", nil
		}
		opts.Cursor = res.Cursor
	}
	return opts.Cursor, nil
}
