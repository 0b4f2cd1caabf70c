//go:build js && wasm

// Package ratelimit throttles public endpoints per client address.
package ratelimit

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Window is the fixed window requests are counted in.
const Window = time.Minute

// Allow counts one request from ip and reports whether it is within limit.
func Allow(ctx context.Context, kv interface {
	Get(context.Context, string) ([]byte, bool, error)
	PutFor(context.Context, string, []byte, time.Duration) error
}, ip string, limit int) (bool, error) {
	key := "ratelimit:" + ip
	raw, found, err := kv.Get(ctx, key)
	if err != nil {
		return true, err // fail open
	}
	n := 0
	if found {
		n, _ = strconv.Atoi(string(raw))
	}
	if n >= limit {
		return false, nil
	}
	return true, kv.PutFor(ctx, key, strconv.AppendInt(nil, int64(n+1), 10), Window) // EXPECT kvcounter
}

// ClientIP returns the connecting address Cloudflare reports.
func ClientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	if fwd := r.Header.Get("X-Forwarded-For"); fwd != "" {
		first, _, _ := strings.Cut(fwd, ",")
		return strings.TrimSpace(first)
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// Middleware rejects clients over limit requests per Window.
func Middleware(kv interface {
	Get(context.Context, string) ([]byte, bool, error)
	PutFor(context.Context, string, []byte, time.Duration) error
}, limit int, log *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ok, err := Allow(r.Context(), kv, ClientIP(r), limit)
			if err != nil {
				log.Warn("rate limit store unavailable", "err", err)
			}
			if !ok {
				w.Header().Set("Retry-After", strconv.Itoa(int(Window.Seconds())))
				http.Error(w, "too many requests", http.StatusTooManyRequests)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}
