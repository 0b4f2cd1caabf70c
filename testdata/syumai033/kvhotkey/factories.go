package kvhotkey

import (
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// track returns a handler that marks the route's activity when it is
// served: making it writes nothing.
func track(ns *kv.Namespace, route string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = ns.PutString("activity:"+route, time.Now().UTC().Format(time.RFC3339), nil)
		next.ServeHTTP(w, r)
	})
}

// Quiet: the loop makes one handler per route and writes nothing.
func mount(ns *kv.Namespace, mux *http.ServeMux, routes map[string]http.Handler) {
	for pattern, h := range routes {
		mux.Handle(pattern, track(ns, "all", h))
	}
}

// stamp writes at once.
func stamp(ns *kv.Namespace, route string) {
	_ = ns.PutString("activity:"+route, time.Now().UTC().Format(time.RFC3339), nil)
}

// A helper that writes, called per route, is a write per iteration.
func stampAll(ns *kv.Namespace, routes []string) { // want stampAll:"kvhotkey"
	for range routes {
		stamp(ns, "all") // want `this loop writes the same KV key on every iteration`
	}
}
