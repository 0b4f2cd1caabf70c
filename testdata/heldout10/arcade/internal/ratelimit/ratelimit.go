// Package ratelimit throttles API clients per IP address.
package ratelimit

import (
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/arcade/internal/config"
)

type Limiter struct {
	ns     *kv.Namespace
	window time.Duration
	limit  int
	now    func() time.Time
}

func New(ns *kv.Namespace, cfg config.RateLimitConfig) *Limiter {
	return &Limiter{ns: ns, window: cfg.Window, limit: cfg.Limit, now: time.Now}
}

func clientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// Middleware allows l.limit requests per window per client IP.
func (l *Limiter) Middleware(next http.Handler) http.Handler {
	ttl := int((2 * l.window).Seconds())
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		bucket := l.now().Unix() / int64(l.window/time.Second)
		key := fmt.Sprintf("ratelimit:%s:%d", clientIP(r), bucket)
		n := 0
		cur, err := l.ns.GetString(key, nil)
		if err == nil && cur != "<null>" {
			n, _ = strconv.Atoi(cur)
		}
		if n >= l.limit {
			w.Header().Set("Retry-After", strconv.Itoa(int(l.window.Seconds())))
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return
		}
		if err := l.ns.PutString(key, strconv.Itoa(n+1), &kv.PutOptions{ExpirationTTL: ttl}); err != nil { // EXPECT kvcounter
			// fail open: a KV hiccup should not take the API down
			w.Header().Set("X-RateLimit-Degraded", "1")
		}
		w.Header().Set("X-RateLimit-Remaining", strconv.Itoa(l.limit-n-1))
		next.ServeHTTP(w, r)
	})
}
