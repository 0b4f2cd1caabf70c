package kvrest

import (
	"context"
	"time"
)

// Bound is a Client fixed to one logical namespace. It satisfies the
// generic repository's backend port.
type Bound struct {
	c       *Client
	logical string
}

// Bind returns c fixed to logical.
func (c *Client) Bind(logical string) Bound { return Bound{c: c, logical: logical} }

// Lookup returns the value under key and whether it exists.
func (b Bound) Lookup(ctx context.Context, key string) ([]byte, bool, error) {
	return b.c.Get(ctx, b.logical, key)
}

// Save writes val, expiring after ttl when positive.
func (b Bound) Save(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	return b.c.Put(ctx, b.logical, key, val, ttl)
}

// Remove deletes key.
func (b Bound) Remove(ctx context.Context, key string) error {
	return b.c.Delete(ctx, b.logical, key)
}
