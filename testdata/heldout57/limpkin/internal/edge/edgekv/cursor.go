//go:build js && wasm

package edgekv

import "github.com/syumai/workers/cloudflare"

// Cursor walks the keys under a prefix one key at a time, fetching pages as
// needed, and stops after MaxPages pages.
//
//	c := st.Keys("hold:", 20)
//	for c.Next() { use(c.Key()) }
//	if err := c.Err(); err != nil { ... }
type Cursor struct {
	st       *Store
	prefix   string
	MaxPages int

	page    *cloudflare.KVNamespaceListResult
	i       int
	fetched int
	err     error
	done    bool
}

// Keys starts a cursor over prefix.
func (s *Store) Keys(prefix string, maxPages int) *Cursor {
	return &Cursor{st: s, prefix: prefix, MaxPages: maxPages}
}

// Next advances to the next key.
func (c *Cursor) Next() bool {
	for {
		if c.err != nil {
			return false
		}
		if c.page != nil && c.i+1 < len(c.page.Keys) {
			c.i++
			return true
		}
		if c.done || (c.page != nil && c.page.ListComplete) || c.fetched >= c.MaxPages {
			return false
		}
		next := ""
		if c.page != nil {
			next = c.page.Cursor
		}
		c.page, c.err = c.st.Page(c.prefix, next, 1000)
		c.fetched++
		c.i = -1
		if c.err == nil && c.page.ListComplete && len(c.page.Keys) == 0 {
			c.done = true
		}
	}
}

// Key is the current key.
func (c *Cursor) Key() *cloudflare.KVNamespaceListKey { return c.page.Keys[c.i] }

// Err reports the error that stopped the cursor, if any.
func (c *Cursor) Err() error { return c.err }

// Truncated reports whether the cursor stopped at its page budget with more
// keys left.
func (c *Cursor) Truncated() bool {
	return c.err == nil && c.page != nil && !c.page.ListComplete && c.fetched >= c.MaxPages
}
