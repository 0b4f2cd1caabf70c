// Package ratelimit throttles anonymous feed fetches per client address so
// a misbehaving podcast app cannot hammer the origin.
package ratelimit

import (
	"context"
	"net"
	"net/http"
	"strconv"
	"time"

	"example.com/ibex/internal/keys"
)

var timeNow = time.Now

// window is the length of one throttling window.
const window = time.Minute

// Store is the state the limiter keeps per client and window.
type Store interface {
	Get(ctx context.Context, key string) ([]byte, error)
	PutTTL(ctx context.Context, key string, val []byte, ttl time.Duration) error
}

// Limiter allows perWindow requests per client per window.
type Limiter struct {
	st        Store
	notFound  func(error) bool
	perWindow int
}

// New returns a Limiter.
func New(st Store, notFound func(error) bool, perWindow int) *Limiter {
	return &Limiter{st: st, notFound: notFound, perWindow: perWindow}
}

func clientAddr(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// Allow reports whether the client may make another request.
func (l *Limiter) Allow(ctx context.Context, client string) (bool, error) {
	bucket := timeNow().UTC().Truncate(window).Format("200601021504")
	key := "ratelimit:feed:" + keys.Hash(client) + ":" + bucket
	n := 0
	raw, err := l.st.Get(ctx, key)
	switch {
	case err == nil:
		n, _ = strconv.Atoi(string(raw))
	case !l.notFound(err):
		return false, err
	}
	if n >= l.perWindow {
		return false, nil
	}
	return true, l.st.PutTTL(ctx, key, []byte(strconv.Itoa(n+1)), 2*window) // EXPECT kvcounter
}

// Middleware rejects throttled requests with 429.
func (l *Limiter) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ok, err := l.Allow(r.Context(), clientAddr(r))
		if err != nil {
			// Fail open: throttling is a courtesy to the origin.
			next.ServeHTTP(w, r)
			return
		}
		if !ok {
			w.Header().Set("Retry-After", strconv.Itoa(int(window.Seconds())))
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return
		}
		next.ServeHTTP(w, r)
	})
}
