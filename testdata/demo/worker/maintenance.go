package main

import (
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// maintenance answers 503 while the "maintenance" flag is set in KV, and
// otherwise passes the request on. It records when the shop last served a
// request, for the status page.
func maintenance(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cache, err := kv.NewNamespace(cacheBinding)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		flag, err := cache.GetString("flag:maintenance", nil)
		if err == nil && flag != "" {
			http.Error(w, "back soon", http.StatusServiceUnavailable)
			return
		}
		cache.PutString("status:last-served", time.Now().UTC().Format(time.RFC3339), nil)
		next.ServeHTTP(w, r)
	})
}
