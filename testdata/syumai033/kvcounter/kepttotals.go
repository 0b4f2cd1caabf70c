package kvcounter

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"kvlint.test/syumai033/hitbuf"
)

// Quiet: the buffer adds what it is given to the total it keeps, and
// writes that total: its own write is the count's, not this call.
var hitFlushEvery = 30 * time.Second

func serveHits(ctx context.Context, ns *kv.Namespace, mux *http.ServeMux) {
	buf := hitbuf.New(ns, hitFlushEvery)
	go buf.Run(ctx)
	mux.HandleFunc("POST /zones/{zone}/hits", func(w http.ResponseWriter, r *http.Request) {
		buf.Record(r.PathValue("zone"), 1)
	})
}

// Views of each track, counted in a map that a ticker's flush writes;
// the count is reported at the flush's write, not at each call of flush.
type playCounter struct {
	ns    *kv.Namespace
	plays chan string
}

func (c *playCounter) run(stop <-chan struct{}) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	pending := map[string]int{}
	for {
		select {
		case track := <-c.plays:
			pending[track]++
		case <-t.C:
			c.flush(pending)
			pending = map[string]int{}
		case <-stop:
			c.flushEntries(pending)
			return
		}
	}
}

func (c *playCounter) flush(pending map[string]int) {
	for track, n := range pending {
		_ = c.ns.PutString("views:"+track, strconv.Itoa(n), nil) // want `counter kept in KV`
	}
}

type viewEntry struct{ Key, Value string }

// The same counts, gathered into entries first and written one at a time.
func (c *playCounter) flushEntries(pending map[string]int) {
	entries := make([]viewEntry, 0, len(pending))
	for track, n := range pending {
		entries = append(entries, viewEntry{Key: "views:" + track, Value: strconv.Itoa(n)})
	}
	for _, e := range entries {
		_ = c.ns.PutString(e.Key, e.Value, nil) // want `counter kept in KV`
	}
}
