package kvttl

import (
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// cached returns a handler that keeps next's answers in KV for ttl.
func cached(ns *kv.Namespace, ttl time.Duration, next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if body, err := ns.GetString("resp:"+r.URL.Path, nil); err == nil && body != "<null>" {
			_, _ = w.Write([]byte(body))
			return
		}
		next(w, r)
		_ = ns.PutString("resp:"+r.URL.Path, "body", &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())})
	})
}

func status(w http.ResponseWriter, r *http.Request) {}
func board(w http.ResponseWriter, r *http.Request)  {}

// A lifetime given to the factory directly.
func mountStatus(ns *kv.Namespace, mux *http.ServeMux) {
	mux.Handle("GET /status", cached(ns, 20*time.Second, status)) // want `ExpirationTTL 20 \(passed to cached\) is below`
}

// A table of routes, each with its lifetime, registered in a loop: an
// entry below the minimum is reported where it is written.
func mountAll(ns *kv.Namespace, mux *http.ServeMux, boardTTL time.Duration) {
	routes := []struct {
		pattern string
		cache   time.Duration
		handler http.HandlerFunc
	}{
		{"GET /board", 5 * time.Minute, board},
		{"GET /status", 20 * time.Second, status}, // want `ExpirationTTL 20 \(passed to cached\) is below`
		{"GET /live", 0, status},
	}
	for _, rt := range routes {
		h := http.Handler(rt.handler)
		if rt.cache > 0 {
			h = cached(ns, rt.cache, rt.handler)
		}
		mux.Handle(rt.pattern, h)
	}
}
