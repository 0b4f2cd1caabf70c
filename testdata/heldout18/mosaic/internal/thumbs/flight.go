package thumbs

import (
	"context"
	"sync"
)

// Size is a thumbnail edge length in pixels.
type Size int

// Standard sizes served by the gallery.
const (
	Small  Size = 160
	Medium Size = 480
	Large  Size = 1280
)

// Valid reports whether s is one of the standard sizes.
func (s Size) Valid() bool { return s == Small || s == Medium || s == Large }

// Resizer produces a JPEG of a photo whose longer edge is size pixels.
type Resizer interface {
	Resize(ctx context.Context, photoID string, size Size) ([]byte, error)
}

type call struct {
	wg  sync.WaitGroup
	val []byte
	err error
}

// Group de-duplicates concurrent renders of the same thumbnail so that a
// burst of requests for a cold photo renders it once.
type Group struct {
	mu sync.Mutex
	m  map[string]*call
}

// Do runs fn once per key among concurrent callers; shared reports whether
// the caller received another caller's result.
func (g *Group) Do(key string, fn func() ([]byte, error)) (v []byte, err error, shared bool) {
	g.mu.Lock()
	if g.m == nil {
		g.m = make(map[string]*call)
	}
	if c, ok := g.m[key]; ok {
		g.mu.Unlock()
		c.wg.Wait()
		return c.val, c.err, true
	}
	c := new(call)
	c.wg.Add(1)
	g.m[key] = c
	g.mu.Unlock()

	c.val, c.err = fn()
	c.wg.Done()
	g.mu.Lock()
	delete(g.m, key)
	g.mu.Unlock()
	return c.val, c.err, false
}
