package kvstore

import (
	"context"
	"iter"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
)

// Page lists one page of keys under prefix starting at cursor. The returned
// cursor is empty when the listing is complete.
func (s *Store) Page(ctx context.Context, prefix, cursor string, limit int) ([]kv.Key, string, error) {
	p := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.account),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(limit)),
	}
	if cursor != "" {
		p.Cursor = cloudflare.F(cursor)
	}
	page, err := s.api.KV.Namespaces.Keys.List(ctx, s.namespace, p)
	if err != nil {
		return nil, "", err
	}
	return page.Result, page.ResultInfo.Cursor, nil
}

// Pages yields successive pages of keys under prefix, at most maxPages of
// them. The sequence stops after the last page or after maxPages.
func (s *Store) Pages(ctx context.Context, prefix string, maxPages int) iter.Seq2[[]kv.Key, error] {
	return func(yield func([]kv.Key, error) bool) {
		cursor := ""
		for n := 0; n < maxPages; n++ {
			keys, next, err := s.Page(ctx, prefix, cursor, 1000)
			if !yield(keys, err) || err != nil || next == "" {
				return
			}
			cursor = next
		}
	}
}

// KeyCursor walks keys one at a time with a budget on keys visited.
type KeyCursor struct {
	s      *Store
	ctx    context.Context
	prefix string
	cursor string
	buf    []kv.Key
	cur    kv.Key
	seen   int
	budget int
	done   bool
	err    error
}

// Cursor returns a KeyCursor over prefix that visits at most budget keys.
func (s *Store) Cursor(ctx context.Context, prefix string, budget int) *KeyCursor {
	return &KeyCursor{s: s, ctx: ctx, prefix: prefix, budget: budget}
}

// Next advances to the next key.
func (c *KeyCursor) Next() bool {
	if c.err != nil || c.seen >= c.budget {
		return false
	}
	for len(c.buf) == 0 {
		if c.done {
			return false
		}
		keys, next, err := c.s.Page(c.ctx, c.prefix, c.cursor, 1000)
		if err != nil {
			c.err = err
			return false
		}
		c.buf, c.cursor, c.done = keys, next, next == ""
	}
	c.cur, c.buf = c.buf[0], c.buf[1:]
	c.seen++
	return true
}

// Key returns the current key.
func (c *KeyCursor) Key() kv.Key { return c.cur }

// Err returns the first error met.
func (c *KeyCursor) Err() error { return c.err }

// Truncated reports whether the budget ran out before the listing did.
func (c *KeyCursor) Truncated() bool { return c.seen >= c.budget && !(c.done && len(c.buf) == 0) }
