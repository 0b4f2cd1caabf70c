//go:build js && wasm

// Package ratelimit throttles anonymous and signed-in traffic.
package ratelimit

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/lantern/internal/config"
	"example.com/lantern/internal/keys"
	"example.com/lantern/internal/kvstore"
)

// Limiter keeps its windows in a dedicated KV namespace.
type Limiter struct {
	ns     *kv.Namespace
	limit  int
	window time.Duration
	now    func() time.Time
}

// New returns a Limiter configured from cfg.
func New(ns *kv.Namespace, cfg config.LimitConfig) *Limiter {
	return &Limiter{ns: ns, limit: cfg.RequestsPerWindow, window: cfg.Window, now: time.Now}
}

func bucketKey(ip string, t time.Time) string {
	var b strings.Builder
	b.WriteString("rl:")
	b.WriteString(ip)
	b.WriteByte(':')
	b.WriteString(keys.Minute(t))
	return b.String()
}

// Allow is the per-IP fixed window used by anonymous endpoints.
func (l *Limiter) Allow(ip string) (bool, error) {
	key := bucketKey(ip, l.now())
	raw, err := l.ns.GetString(key, nil) // EXPECT kvnull
	if err != nil {
		return false, err
	}
	n, err := strconv.Atoi(raw)
	if err != nil {
		return false, fmt.Errorf("ratelimit: bucket %s: %w", key, err)
	}
	if n >= l.limit {
		return false, nil
	}
	if err := l.ns.PutString(key, strconv.Itoa(n+1), &kv.PutOptions{ExpirationTTL: 120}); err != nil { // EXPECT kvcounter
		return false, err
	}
	return true, nil
}

type window struct {
	Hits []int64 `json:"h"`
}

// AllowUser is a sliding window per signed-in user, for write endpoints.
func (l *Limiter) AllowUser(userID string) (bool, error) {
	key := "rate:user:" + userID
	now := l.now()
	var w window
	raw, err := l.ns.GetString(key, nil)
	if err != nil {
		return false, err
	}
	if raw != kvstore.Null {
		if err := json.Unmarshal([]byte(raw), &w); err != nil {
			w = window{}
		}
	}
	cutoff := now.Add(-l.window).UnixMilli()
	kept := w.Hits[:0]
	for _, h := range w.Hits {
		if h > cutoff {
			kept = append(kept, h)
		}
	}
	if len(kept) >= l.limit {
		return false, nil
	}
	w.Hits = append(kept, now.UnixMilli())
	ttl := l.window + l.window/2
	if ttl < 10*time.Second {
		ttl = 10 * time.Second
	}
	enc, _ := json.Marshal(w)
	err = l.ns.PutString(key, string(enc), &kv.PutOptions{ // EXPECT kvcounter|kvrace
		ExpirationTTL: int(ttl.Seconds()), // EXPECT kvttl
	})
	return err == nil, err
}

// Middleware rejects anonymous requests over the per-IP limit. Limiter
// failures let the request through.
func (l *Limiter) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ip := r.Header.Get("CF-Connecting-IP")
		if ip == "" || r.Header.Get("Cookie") != "" {
			next.ServeHTTP(w, r)
			return
		}
		ok, err := l.Allow(ip)
		if err == nil && !ok {
			w.Header().Set("Retry-After", "60")
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return
		}
		next.ServeHTTP(w, r)
	})
}
