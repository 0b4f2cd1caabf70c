package kvcounter

import (
	"strconv"
	"sync"

	"github.com/syumai/workers/cloudflare/kv"
)

// room keeps, per room, how many clients watch it, in this instance's
// memory.
type room struct {
	mu       sync.Mutex
	ns       *kv.Namespace
	watchers map[string]int
	cursors  map[string]int
}

func (r *room) bump(id string, delta int) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.watchers[id] = max(r.watchers[id]+delta, 0)
	return r.watchers[id]
}

// Each instance writes its own count of watchers over the others': the
// key is named for the field that keeps it.
func (r *room) join(id string) {
	n := r.bump(id, +1)
	_ = r.ns.PutString("room:"+id+":watchers", strconv.Itoa(n), nil) // want `this put writes a count kept in this process's memory`
}

func (r *room) advance(id string, by int) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cursors[id] = max(r.cursors[id]+by, 0)
	return r.cursors[id]
}

// Quiet: a position moved along, under a key that names no count.
func (r *room) seek(id string, by int) {
	pos := r.advance(id, by)
	_ = r.ns.PutString("room:"+id+":position", strconv.Itoa(pos), nil)
}
