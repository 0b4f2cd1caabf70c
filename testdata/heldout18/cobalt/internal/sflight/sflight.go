// Package sflight collapses concurrent calls for the same key into one.
package sflight

import (
	"context"
	"sync"
)

type call[V any] struct {
	done chan struct{}
	val  V
	err  error
	dups int
}

// Group de-duplicates calls by key.
type Group[V any] struct {
	mu    sync.Mutex
	calls map[string]*call[V]
}

// Do runs fn once for concurrent callers with the same key. Waiting callers
// give up when their own context ends; fn keeps running for the others.
func (g *Group[V]) Do(ctx context.Context, key string, fn func(context.Context) (V, error)) (v V, shared bool, err error) {
	g.mu.Lock()
	if g.calls == nil {
		g.calls = map[string]*call[V]{}
	}
	if c, ok := g.calls[key]; ok {
		c.dups++
		g.mu.Unlock()
		select {
		case <-c.done:
			return c.val, true, c.err
		case <-ctx.Done():
			return v, true, ctx.Err()
		}
	}
	c := &call[V]{done: make(chan struct{})}
	g.calls[key] = c
	g.mu.Unlock()

	c.val, c.err = fn(context.WithoutCancel(ctx))
	close(c.done)

	g.mu.Lock()
	delete(g.calls, key)
	g.mu.Unlock()
	return c.val, c.dups > 0, c.err
}
