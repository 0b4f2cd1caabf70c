// Package coalesce merges concurrent calls for the same key into one call
// to a slow origin.
package coalesce

import "sync"

type call struct {
	wg  sync.WaitGroup
	val []byte
	err error
}

// Group coalesces calls by key.
type Group struct {
	mu    sync.Mutex
	calls map[string]*call
}

// Do runs fn once for all callers that ask for key while it is in flight.
// shared reports whether the result was handed to more than one caller.
func (g *Group) Do(key string, fn func() ([]byte, error)) (v []byte, err error, shared bool) {
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
