package main

import (
	"fmt"
	"log"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// searchLimit is how many searches one client may make per minute.
const searchLimit = 30

// rateLimited allows each client IP searchLimit requests per minute and
// answers 429 beyond that. The count for the current minute lives in KV so
// that every isolate sees it.
func rateLimited(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ip := r.Header.Get("CF-Connecting-IP")
		window := time.Now().Unix() / 60
		key := fmt.Sprintf("ratelimit:%s:%d", ip, window)

		counts, err := kv.NewNamespace(cacheBinding)
		if err != nil {
			// Fail open: a broken limiter must not take search down.
			next.ServeHTTP(w, r)
			return
		}
		current, err := counts.GetString(key, nil)
		if err != nil {
			next.ServeHTTP(w, r)
			return
		}
		n, _ := strconv.Atoi(current) // a missing key reads as 0
		if n >= searchLimit {
			w.Header().Set("Retry-After", "60")
			http.Error(w, "too many requests", http.StatusTooManyRequests)
			return
		}
		if err := counts.PutString(key, strconv.Itoa(n+1), &kv.PutOptions{ExpirationTTL: 120}); err != nil {
			log.Printf("rate limit %s: %v", key, err)
		}
		next.ServeHTTP(w, r)
	})
}
