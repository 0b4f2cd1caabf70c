// Package middleware wraps storefront handlers.
package middleware

import (
	"log"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/shop/config"
)

// RateLimit allows Limit requests per client IP per Window.
type RateLimit struct {
	Limit  int
	Window time.Duration
}

func (rl RateLimit) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ns, err := kv.NewNamespace(config.ShopKV)
		if err != nil {
			log.Printf("ratelimit: %v", err)
			next.ServeHTTP(w, r)
			return
		}
		ip := r.Header.Get("CF-Connecting-IP")
		bucket := time.Now().Truncate(rl.Window).Unix()
		key := "ratelimit:" + ip + ":" + strconv.FormatInt(bucket, 10)

		count := 0
		if v, err := ns.GetString(key, nil); err == nil && v != "<null>" {
			count, _ = strconv.Atoi(v)
		}
		if count >= rl.Limit {
			w.Header().Set("Retry-After", strconv.Itoa(int(rl.Window.Seconds())))
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return
		}
		opts := &kv.PutOptions{}
		opts.ExpirationTTL = int(rl.Window.Seconds()) + config.RateLimitWindow
		if err := ns.PutString(key, strconv.Itoa(count+1), opts); err != nil { // EXPECT kvcounter
			log.Printf("ratelimit: %v", err)
		}
		next.ServeHTTP(w, r)
	})
}
