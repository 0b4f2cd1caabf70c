package restkv

import (
	"context"
	"time"
)

// Bound is a Namespace tied to one context, so that key/value/lifetime
// helpers can be passed to it directly.
type Bound struct {
	ns  Namespace
	ctx context.Context
}

// Bind ties n to ctx.
func (n Namespace) Bind(ctx context.Context) Bound { return Bound{ns: n, ctx: ctx} }

// Put writes value under key for ttl.
func (b Bound) Put(key string, value []byte, ttl time.Duration) error {
	return b.ns.Put(b.ctx, key, value, ttl)
}

// Mark writes a presence marker under key for ttl.
func (b Bound) Mark(key string, ttl time.Duration) error {
	return b.ns.Put(b.ctx, key, []byte("1"), ttl)
}

// Get reads key.
func (b Bound) Get(key string) ([]byte, error) { return b.ns.Get(b.ctx, key) }
