// Package coalesce merges concurrent calls for the same key into one.
package coalesce

import "sync"

type call[V any] struct {
	wg   sync.WaitGroup
	val  V
	err  error
	dups int
}

// Group coalesces calls by key. The zero value is ready to use.
type Group[K comparable, V any] struct {
	mu    sync.Mutex
	calls map[K]*call[V]
}

// Do runs fn once for all concurrent callers asking for key, and hands each
// of them the same result. shared reports whether the result was reused.
func (g *Group[K, V]) Do(key K, fn func() (V, error)) (v V, err error, shared bool) {
	g.mu.Lock()
	if g.calls == nil {
		g.calls = make(map[K]*call[V])
	}
	if c, ok := g.calls[key]; ok {
		c.dups++
		g.mu.Unlock()
		c.wg.Wait()
		return c.val, c.err, true
	}
	c := &call[V]{}
	c.wg.Add(1)
	g.calls[key] = c
	g.mu.Unlock()

	func() {
		defer c.wg.Done()
		c.val, c.err = fn()
	}()

	g.mu.Lock()
	if g.calls[key] == c {
		delete(g.calls, key)
	}
	shared = c.dups > 0
	g.mu.Unlock()
	return c.val, c.err, shared
}

// Forget drops key so the next Do runs fn again even if a call is in flight.
func (g *Group[K, V]) Forget(key K) {
	g.mu.Lock()
	delete(g.calls, key)
	g.mu.Unlock()
}
