package kvhotkey

import (
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// track returns a handler that marks the route's activity when it is
// served: making it writes nothing, but the handler writes the route's
// one key, fixed when it was made, on every request.
func track(ns *kv.Namespace, route string, next http.Handler) http.Handler { // want track:"kvhotkey"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = ns.PutString("activity:"+route, time.Now().UTC().Format(time.RFC3339), nil) // want `this handler writes the same KV key on every request`
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

// lobbyLatest is the key of the lobby screen's welcome line, under the
// deployment's key space.
var lobbyLatest = strings.ToLower(os.Getenv("KEYSPACE")) + ":lobby"

// A handler a factory makes writes a key kept in a package variable on
// every request.
func welcome(ns *kv.Namespace) http.HandlerFunc { // want welcome:"kvhotkey"
	return func(w http.ResponseWriter, r *http.Request) {
		_ = ns.PutString(lobbyLatest, r.FormValue("name"), nil) // want `this handler writes the same KV key on every request`
	}
}

// Quiet: the factory's key is a setting an operator changes now and then,
// not a record of each request.
func saveBanner(ns *kv.Namespace, key string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_ = ns.PutString(key, r.FormValue("text"), nil)
	}
}

// Quiet: each request names its own key; the handler made per request
// captures it.
func serveVisit(ns *kv.Namespace, w http.ResponseWriter, r *http.Request) {
	visitor := r.FormValue("visitor")
	record := func() error {
		return ns.PutString("last-visit:"+visitor, time.Now().UTC().Format(time.RFC3339), nil)
	}
	_ = record()
}
