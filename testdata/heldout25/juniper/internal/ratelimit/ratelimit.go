// Package ratelimit slows down credential stuffing on the organizer login.
package ratelimit

import (
	"context"
	"net"
	"net/http"
	"strconv"
	"time"

	"example.com/juniper/internal/config"
	"example.com/juniper/internal/keys"
	"example.com/juniper/internal/store"
)

// Limiter decides whether a client may try again.
type Limiter interface {
	Allow(ctx context.Context, client string) (bool, error)
}

type loginLimiter struct {
	raw store.Raw
	cfg *config.Holder
}

var _ Limiter = (*loginLimiter)(nil)

// NewLogin returns the login limiter. The window is read from cfg on every
// call so operators can tighten it during an attack.
func NewLogin(raw store.Raw, cfg *config.Holder) Limiter {
	return &loginLimiter{raw: raw, cfg: cfg}
}

func (l *loginLimiter) Allow(ctx context.Context, client string) (bool, error) {
	w := l.cfg.Load().Limits.Login
	k := keys.LoginAttempts(client, w.Window, time.Now())
	n := 0
	b, ok, err := l.raw.Get(ctx, k)
	if err != nil {
		return false, err
	}
	if ok {
		if n, err = strconv.Atoi(string(b)); err != nil {
			n = 0
		}
	}
	if n >= w.Max {
		return false, nil
	}
	ttl := max(2*w.Window, time.Minute)
	if err := l.raw.Put(ctx, k, []byte(strconv.Itoa(n+1)), store.WithTTL(ttl)); err != nil { // EXPECT kvcounter
		return false, err
	}
	return true, nil
}

// ClientIP returns the address the request came from.
func ClientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// Middleware rejects clients over their budget with 429.
func Middleware(l Limiter, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ok, err := l.Allow(r.Context(), ClientIP(r))
		if err != nil {
			http.Error(w, "try again later", http.StatusServiceUnavailable)
			return
		}
		if !ok {
			w.Header().Set("Retry-After", "60")
			http.Error(w, "too many attempts", http.StatusTooManyRequests)
			return
		}
		next.ServeHTTP(w, r)
	})
}
