// Package coalesce collapses concurrent calls for the same key into one call
// to the slow origin. It is a small, dependency-free take on singleflight.
package coalesce

import "sync"

type call struct {
	wg  sync.WaitGroup
	val any
	err error
}

// Group coalesces calls by key. The zero value is ready to use.
type Group struct {
	mu    sync.Mutex
	calls map[string]*call
}

// Do runs fn once for all concurrent callers that pass the same key and
// hands every caller the same result.
func (g *Group) Do(key string, fn func() (any, error)) (any, error, bool) {
	g.mu.Lock()
	if g.calls == nil {
		g.calls = make(map[string]*call)
	}
	if c, ok := g.calls[key]; ok {
		g.mu.Unlock()
		c.wg.Wait()
		return c.val, c.err, true
	}
	c := &call{}
	c.wg.Add(1)
	g.calls[key] = c
	g.mu.Unlock()

	c.val, c.err = fn()
	c.wg.Done()

	g.mu.Lock()
	delete(g.calls, key)
	g.mu.Unlock()
	return c.val, c.err, false
}
