// Package sfgroup collapses concurrent calls for the same key into one.
package sfgroup

import "sync"

type call[V any] struct {
	wg  sync.WaitGroup
	val V
	err error
	dup int
}

// Group de-duplicates in-flight work by key.
type Group[V any] struct {
	mu    sync.Mutex
	calls map[string]*call[V]
}

// Do runs fn once for all concurrent callers with the same key. shared reports
// whether the result was handed to more than one caller.
func (g *Group[V]) Do(key string, fn func() (V, error)) (v V, err error, shared bool) {
	g.mu.Lock()
	if g.calls == nil {
		g.calls = map[string]*call[V]{}
	}
	if c, ok := g.calls[key]; ok {
		c.dup++
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
	dup := c.dup
	g.mu.Unlock()
	return c.val, c.err, dup > 0
}
