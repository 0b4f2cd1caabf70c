// Package ratelimit throttles scanners and kiosks per gate.
package ratelimit

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"example.com/tamarack/internal/httpx"
	"example.com/tamarack/internal/platform/store"
)

// Limiter allows at most limit requests per window per gate and client.
type Limiter struct {
	st     store.Store
	limit  int
	window time.Duration
	log    *slog.Logger
}

// Option configures a Limiter.
type Option func(*Limiter)

// WithLimit sets the number of requests per window.
func WithLimit(n int) Option { return func(l *Limiter) { l.limit = n } }

// WithWindow sets the window length.
func WithWindow(d time.Duration) Option { return func(l *Limiter) { l.window = d } }

// WithLogger sets the logger.
func WithLogger(log *slog.Logger) Option { return func(l *Limiter) { l.log = log } }

// New returns a Limiter with 600 requests per minute unless configured.
func New(st store.Store, opts ...Option) *Limiter {
	l := &Limiter{st: st, limit: 600, window: time.Minute, log: slog.Default()}
	for _, o := range opts {
		o(l)
	}
	return l
}

// Allow reports whether one more request from client at gate is allowed.
func (l *Limiter) Allow(ctx context.Context, gate, client string) (bool, error) {
	key := fmt.Sprintf("ratelimit:%s:%s", gate, client)
	n := 0
	raw, err := l.st.Get(ctx, key)
	switch {
	case store.IsNotFound(err):
	case err != nil:
		return true, err
	default:
		if n, err = strconv.Atoi(raw); err != nil {
			n = 0
		}
	}
	if n >= l.limit {
		return false, nil
	}
	ttl := max(l.window, time.Minute)
	return true, l.st.Put(ctx, key, strconv.Itoa(n+1), store.WithTTL(ttl)) // EXPECT kvcounter
}

// Cooldown blocks client at gate for a short period after a rejected scan.
func (l *Limiter) Cooldown(ctx context.Context, gate, client string) error {
	ttl := max(l.window/2, 10*time.Second)
	return l.st.Put(ctx, "cooldown:"+gate+":"+client, "1", store.WithTTL(ttl)) // EXPECT kvttl
}

// Middleware rejects requests over the limit with 429. The gate comes from
// the X-Gate header set by the scanner firmware.
func (l *Limiter) Middleware() httpx.Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			gate := r.Header.Get("X-Gate")
			if gate == "" {
				next.ServeHTTP(w, r)
				return
			}
			client := r.Header.Get("Cf-Connecting-Ip")
			ok, err := l.Allow(r.Context(), gate, client)
			if err != nil {
				l.log.Warn("rate limit check failed; allowing", "gate", gate, "err", err)
			}
			if !ok {
				if err := l.Cooldown(r.Context(), gate, client); err != nil {
					l.log.Warn("cooldown write failed", "gate", gate, "err", err)
				}
				httpx.Error(w, http.StatusTooManyRequests, "slow down")
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}
