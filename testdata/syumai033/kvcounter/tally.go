package kvcounter

import (
	"net/http"
	"strconv"
	"sync"

	"github.com/syumai/workers/cloudflare/kv"
)

// A count kept in memory by a method that adds and returns the sum, then
// published to KV: every instance writes its own count over the others'.

type viewTally struct {
	mu sync.Mutex
	n  map[string]int
}

func (t *viewTally) inc(id string) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.n[id]++
	return t.n[id]
}

// size returns how many ids it has seen: no count of anything written.
func (t *viewTally) size() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.n)
}

func countViews(ns *kv.Namespace, t *viewTally) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := r.URL.Query().Get("id")
		n := t.inc(id)
		_ = ns.PutString("views:"+id, strconv.Itoa(n), nil) // want `counter kept in KV: the key names a count`
	}
}

// Quiet: a number the method computes without adding to anything kept.
func publishSize(ns *kv.Namespace, t *viewTally) error {
	return ns.PutString("views-seen-ids", strconv.Itoa(t.size()), nil)
}
