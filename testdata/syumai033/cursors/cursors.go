// Package cursors is a store's pull-style key cursor, for kvlist's tests:
// for c.Next() { c.Key() }, with a budget of keys kept in the cursor.
package cursors

import "github.com/syumai/workers/cloudflare/kv"

// Cursor walks the keys under a prefix, at most budget of them.
type Cursor struct {
	ns     *kv.Namespace
	opts   kv.ListOptions
	buf    []*kv.ListKey
	cur    *kv.ListKey
	budget int
	done   bool
	err    error
}

// Keys returns a cursor over prefix that visits at most budget keys.
func Keys(ns *kv.Namespace, prefix string, budget int) *Cursor {
	return &Cursor{ns: ns, opts: kv.ListOptions{Prefix: prefix, Limit: 1000}, budget: budget}
}

// Next advances the cursor; it fetches pages until one has a key.
func (c *Cursor) Next() bool {
	if c.err != nil || c.budget <= 0 {
		return false
	}
	for len(c.buf) == 0 {
		if c.done {
			return false
		}
		res, err := c.ns.List(&c.opts)
		if err != nil {
			c.err = err
			return false
		}
		c.buf, c.done, c.opts.Cursor = res.Keys, res.ListComplete, res.Cursor
	}
	c.cur, c.buf = c.buf[0], c.buf[1:]
	c.budget--
	return true
}

// Key is the current key's name.
func (c *Cursor) Key() string { return c.cur.Name }

// Err is the error that stopped the cursor.
func (c *Cursor) Err() error { return c.err }
