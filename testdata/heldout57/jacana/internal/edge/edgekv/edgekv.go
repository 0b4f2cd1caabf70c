//go:build js && wasm

// Package edgekv is the Worker's thin layer over the KV binding.
package edgekv

import (
	"iter"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// null is how syscall/js renders a JS null as a Go string; the binding's get
// yields null for a missing key.
const null = "<null>"

// NS wraps one bound namespace.
type NS struct {
	b *kv.Namespace
}

// Open binds the namespace named in wrangler.toml.
func Open(binding string) (*NS, error) {
	b, err := kv.NewNamespace(binding)
	if err != nil {
		return nil, err
	}
	return &NS{b: b}, nil
}

// Raw returns the binding for callers that need the SDK directly.
func (n *NS) Raw() *kv.Namespace { return n.b }

// Get returns the value of key and whether it exists.
func (n *NS) Get(key string) (string, bool, error) {
	v, err := n.b.GetString(key, nil)
	if err != nil {
		return "", false, err
	}
	if v == null {
		return "", false, nil
	}
	return v, true, nil
}

// GetCached is Get with an edge cache lifetime.
func (n *NS) GetCached(key string, cacheTTL time.Duration) (string, bool, error) {
	v, err := n.b.GetString(key, &kv.GetOptions{CacheTTL: int(cacheTTL / time.Second)})
	if err != nil || v == null {
		return "", false, err
	}
	return v, true, nil
}

// Put stores value under key for ttl (no expiry when ttl is zero).
func (n *NS) Put(key, value string, ttl time.Duration) error {
	var opts *kv.PutOptions
	if ttl > 0 {
		opts = &kv.PutOptions{ExpirationTTL: int(ttl / time.Second)}
	}
	return n.b.PutString(key, value, opts)
}

// Mark stores a presence marker under key for ttl; a lifetime under a minute
// is raised to one.
func (n *NS) Mark(key string, ttl time.Duration) error {
	return n.b.PutString(key, "1", &kv.PutOptions{ExpirationTTL: int(max(ttl, time.Minute).Seconds())})
}

// Touch stores a marker under key for ttl as given.
func (n *NS) Touch(key string, ttl time.Duration) error {
	return n.b.PutString(key, "1", &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())})
}

// Delete removes key.
func (n *NS) Delete(key string) error { return n.b.Delete(key) }

// Pages yields list pages under prefix, stopping after maxPages pages or at
// the end of the listing.
func (n *NS) Pages(prefix string, maxPages int) iter.Seq2[*kv.ListResult, error] {
	return func(yield func(*kv.ListResult, error) bool) {
		opts := &kv.ListOptions{Prefix: prefix, Limit: 1000}
		for i := 0; i < maxPages; i++ {
			res, err := n.b.List(opts)
			if !yield(res, err) || err != nil || res.ListComplete {
				return
			}
			opts.Cursor = res.Cursor
		}
	}
}

// Cursor walks key names one at a time.
type Cursor struct {
	n      *NS
	opts   kv.ListOptions
	buf    []*kv.ListKey
	cur    *kv.ListKey
	done   bool
	err    error
	budget int
}

// Keys returns a cursor over prefix that visits at most budget keys.
func (n *NS) Keys(prefix string, budget int) *Cursor {
	return &Cursor{n: n, opts: kv.ListOptions{Prefix: prefix, Limit: 1000}, budget: budget}
}

// Next advances the cursor.
func (c *Cursor) Next() bool {
	if c.err != nil || c.budget <= 0 {
		return false
	}
	for len(c.buf) == 0 {
		if c.done {
			return false
		}
		res, err := c.n.b.List(&c.opts)
		if err != nil {
			c.err = err
			return false
		}
		c.buf = res.Keys
		c.done = res.ListComplete
		c.opts.Cursor = res.Cursor
	}
	c.cur, c.buf = c.buf[0], c.buf[1:]
	c.budget--
	return true
}

// Key is the current key's name.
func (c *Cursor) Key() string { return c.cur.Name }

// Expiration is the current key's absolute expiry, 0 when none.
func (c *Cursor) Expiration() int { return c.cur.Expiration }

// Err reports the error that stopped the cursor.
func (c *Cursor) Err() error { return c.err }
