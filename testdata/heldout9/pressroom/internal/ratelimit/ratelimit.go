// Package ratelimit throttles the public sign-up form per client address.
package ratelimit

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"example.com/pressroom/internal/config"
	"example.com/pressroom/internal/store"
)

// Limiter allows Max events per Window per subject.
type Limiter struct {
	st     store.Store
	prefix string
	window time.Duration
	max    int
}

// New returns a limiter whose keys start with prefix.
func New(st store.Store, prefix string, cfg config.RateLimit) *Limiter {
	w := cfg.Window
	if w < time.Minute {
		w = time.Minute
	}
	return &Limiter{st: st, prefix: prefix, window: w, max: cfg.Max}
}

// Allow records one event for subject and reports whether it is within the limit.
func (l *Limiter) Allow(ctx context.Context, subject string) (bool, error) {
	key := l.prefix + subject
	raw, ok, err := l.st.Get(ctx, key)
	if err != nil {
		return false, err
	}
	hits := 0
	if ok {
		if hits, err = strconv.Atoi(raw); err != nil {
			hits = 0
		}
	}
	if hits >= l.max {
		return false, nil
	}
	if err := l.st.Put(ctx, key, strconv.Itoa(hits+1), store.WithTTL(l.window)); err != nil { // EXPECT kvcounter
		return false, err
	}
	return true, nil
}

// Middleware rejects requests over the limit. Store errors fail open.
func (l *Limiter) Middleware(subject func(*http.Request) string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ok, err := l.Allow(r.Context(), subject(r))
			if err != nil {
				slog.WarnContext(r.Context(), "rate limiter unavailable", "err", err)
			} else if !ok {
				w.Header().Set("Retry-After", strconv.Itoa(int(l.window.Seconds())))
				http.Error(w, "too many requests", http.StatusTooManyRequests)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// ClientIP reads the address Cloudflare puts in front of the Worker.
func ClientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	return r.RemoteAddr
}
