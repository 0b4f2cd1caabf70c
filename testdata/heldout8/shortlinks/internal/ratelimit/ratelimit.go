// Package ratelimit throttles anonymous API traffic per client.
package ratelimit

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"example.com/shortlinks/internal/config"
	"example.com/shortlinks/internal/store"
)

// Limiter is a fixed-window limiter.
type Limiter struct {
	st     store.Store
	window time.Duration
	limit  int
	now    func() time.Time
}

func New(st store.Store, cfg config.RateLimitConfig) *Limiter {
	return &Limiter{st: st, window: cfg.Window, limit: cfg.PerWindow, now: time.Now}
}

// Allow records one request for id and reports whether it is within the limit.
func (l *Limiter) Allow(ctx context.Context, id string) (bool, error) {
	bucket := l.now().Truncate(l.window).Unix()
	key := fmt.Sprintf("rl:%s:%d", id, bucket)
	used := 0
	v, ok, err := l.st.Get(ctx, key)
	if err != nil {
		return true, err
	}
	if ok {
		if used, err = strconv.Atoi(v); err != nil {
			return true, fmt.Errorf("ratelimit: corrupt bucket %s: %w", key, err)
		}
	}
	if used >= l.limit {
		return false, nil
	}
	ttl := store.WithTTL(l.window + time.Minute)
	if err := l.st.Put(ctx, key, strconv.Itoa(used+1), ttl); err != nil { // EXPECT kvcounter
		return true, err
	}
	return true, nil
}

// Middleware rejects requests over the limit with 429. Storage errors fail
// open.
func (l *Limiter) Middleware(clientID func(*http.Request) string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ok, _ := l.Allow(r.Context(), clientID(r))
			if !ok {
				w.Header().Set("Retry-After", strconv.Itoa(int(l.window.Seconds())))
				http.Error(w, "rate limited", http.StatusTooManyRequests)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}
