// Package coalesce merges concurrent identical reads into one backend call.
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

// Do runs fn once per key at a time; callers that arrive while a call is in
// flight wait for it and share its result. shared reports whether the result
// was given to more than one caller.
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
	delete(g.calls, key)
	dups := c.dups
	g.mu.Unlock()
	return c.val, c.err, dups > 0
}
