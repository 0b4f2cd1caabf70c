// Package coalesce collapses concurrent calls for the same key into one
// execution whose result every caller shares.
package coalesce

import "sync"

type call[V any] struct {
	wg     sync.WaitGroup
	val    V
	err    error
	shared int
}

// Group is a keyed set of in-flight calls. The zero value is ready to use.
type Group[K comparable, V any] struct {
	mu    sync.Mutex
	calls map[K]*call[V]
}

// Do runs fn once for all callers that ask for key while it is in flight.
// shared reports whether the result went to more than one caller.
func (g *Group[K, V]) Do(key K, fn func() (V, error)) (v V, err error, shared bool) {
	g.mu.Lock()
	if g.calls == nil {
		g.calls = make(map[K]*call[V])
	}
	if c, ok := g.calls[key]; ok {
		c.shared++
		g.mu.Unlock()
		c.wg.Wait()
		return c.val, c.err, true
	}
	c := &call[V]{}
	c.wg.Add(1)
	g.calls[key] = c
	g.mu.Unlock()

	c.val, c.err = fn()
	c.wg.Done()

	g.mu.Lock()
	delete(g.calls, key)
	shared = c.shared > 0
	g.mu.Unlock()
	return c.val, c.err, shared
}
