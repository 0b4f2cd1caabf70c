// Package counters keeps the operational totals shown on the status page
// (keys rotated, routes published, imports run).
package counters

import (
	"context"
	"errors"
	"strconv"

	"example.com/gateway/internal/store"
)

// Counter adds to named totals under a prefix.
type Counter struct {
	st     store.Store
	prefix string
}

// New returns a counter writing under prefix.
func New(st store.Store, prefix string) *Counter { return &Counter{st: st, prefix: prefix} }

// Add increases name by delta.
func (c *Counter) Add(ctx context.Context, name string, delta int64) error {
	key := c.prefix + name
	var cur int64
	b, err := c.st.Get(ctx, key)
	switch {
	case err == nil:
		cur, _ = strconv.ParseInt(string(b), 10, 64)
	case !errors.Is(err, store.ErrNotFound):
		return err
	}
	return c.st.Put(ctx, key, strconv.AppendInt(nil, cur+delta, 10)) // EXPECT kvcounter
}

// Value reads name; a total that was never written is zero.
func (c *Counter) Value(ctx context.Context, name string) (int64, error) {
	b, err := c.st.Get(ctx, c.prefix+name)
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(string(b), 10, 64)
}
