package ratelimit

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"example.com/gateway/internal/store"
)

// Limiter throttles admin API callers per client address.
type Limiter struct {
	st     store.Store
	window time.Duration
	limit  int
}

// NewLimiter allows limit requests per window per address.
func NewLimiter(st store.Store, window time.Duration, limit int) *Limiter {
	return &Limiter{st: st, window: window, limit: limit}
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

// Middleware rejects callers over their allowance with 429.
func (l *Limiter) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		bucket := time.Now().Truncate(l.window).Unix()
		key := fmt.Sprintf("admin-rl:%s:%d", clientIP(r), bucket)
		n := 0
		raw, err := l.st.Get(ctx, key)
		switch {
		case err == nil:
			n, _ = strconv.Atoi(string(raw))
		case errors.Is(err, store.ErrNotFound):
		default:
			http.Error(w, "rate limiter unavailable", http.StatusServiceUnavailable)
			return
		}
		if n >= l.limit {
			w.Header().Set("Retry-After", strconv.Itoa(int(l.window.Seconds())))
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return
		}
		if err := l.st.Put(ctx, key, []byte(strconv.Itoa(n+1)), store.WithTTL(2*l.window)); err != nil { // EXPECT kvcounter
			http.Error(w, "rate limiter unavailable", http.StatusServiceUnavailable)
			return
		}
		next.ServeHTTP(w, r)
	})
}
