// Package ratelimit throttles anonymous API traffic per client IP.
package ratelimit

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"example.com/storefront/internal/config"
	"example.com/storefront/internal/kvstore"
)

// Policy can be tuned at runtime by ops without a deploy.
type Policy struct {
	Max     int      `json:"max"`
	Exempt  []string `json:"exempt"`
	Enabled bool     `json:"enabled"`
}

// Limiter is a fixed-window limiter.
type Limiter struct {
	store  kvstore.Store
	window time.Duration
	max    int
	log    *slog.Logger
	clock  func() time.Time
}

// New returns a limiter.
func New(store kvstore.Store, cfg config.RateLimit, log *slog.Logger) *Limiter {
	return &Limiter{store: store, window: cfg.Window, max: cfg.Max, log: log, clock: time.Now}
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

func (l *Limiter) policy(r *http.Request) Policy {
	p := Policy{Max: l.max, Enabled: true}
	raw, err := l.store.Get(r.Context(), "ratelimit:policy")
	if errors.Is(err, kvstore.ErrNotFound) {
		return p
	} else if err != nil {
		l.log.WarnContext(r.Context(), "rate limit policy", "err", err)
		return p
	}
	_ = json.Unmarshal(raw, &p)
	return p
}

// Middleware rejects requests over the limit with 429.
func (l *Limiter) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pol := l.policy(r)
		ip := clientIP(r)
		if !pol.Enabled || contains(pol.Exempt, ip) {
			next.ServeHTTP(w, r)
			return
		}
		slot := l.clock().Truncate(l.window).Unix()
		key := "ratelimit:" + ip + ":" + strconv.FormatInt(slot, 10)
		n := 0
		if raw, err := l.store.Get(r.Context(), key); err == nil {
			n, _ = strconv.Atoi(string(raw))
		} else if !errors.Is(err, kvstore.ErrNotFound) {
			next.ServeHTTP(w, r)
			return
		}
		if n >= pol.Max {
			w.Header().Set("Retry-After", strconv.Itoa(int(l.window.Seconds())))
			http.Error(w, "too many requests", http.StatusTooManyRequests)
			return
		}
		ttl := max(2*l.window, 3*time.Second)                                                                  // EXPECT kvttl
		if err := l.store.Put(r.Context(), key, []byte(strconv.Itoa(n+1)), kvstore.WithTTL(ttl)); err != nil { // EXPECT kvcounter
			l.log.WarnContext(r.Context(), "rate limit write", "err", err)
		}
		next.ServeHTTP(w, r)
	})
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
