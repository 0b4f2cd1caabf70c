//go:build js && wasm

// Package limits throttles the public API per client IP and the sign-in
// form per email address.
package limits

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"github.com/siskinfm/siskin/internal/edgekv"
)

// window is the stored state of one IP's fixed window.
type window struct {
	Hits  int   `json:"h"`
	Reset int64 `json:"r"`
}

// Config is read from Worker vars at start-up.
type Config struct {
	Max    int           // requests per window
	Window time.Duration // SISKIN_RATE_WINDOW, e.g. "10s"
}

// IPLimiter limits requests per client IP on the public API.
type IPLimiter struct {
	edgekv.Base
	cfg Config
}

// NewIPLimiter returns a limiter storing windows under "rl:ip:".
func NewIPLimiter(ns *edgekv.Namespace, cfg Config) *IPLimiter {
	return &IPLimiter{Base: edgekv.Base{NS: ns, Prefix: "rl:ip:"}, cfg: cfg}
}

func clientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	host, _, _ := strings.Cut(r.RemoteAddr, ":")
	return host
}

// Allow records a request from r's client and reports whether it may proceed.
func (l *IPLimiter) Allow(r *http.Request) (bool, error) {
	ctx := r.Context()
	key := l.Key(clientIP(r))
	now := time.Now()
	var w window
	ok, err := l.GetJSON(ctx, key, &w)
	if err != nil {
		return true, err
	}
	if !ok || now.Unix() >= w.Reset {
		w = window{Reset: now.Add(l.cfg.Window).Unix()}
	}
	w.Hits++
	if w.Hits > l.cfg.Max {
		return false, nil
	}
	ttl := max(2*l.cfg.Window, 3*time.Second)              // EXPECT kvttl
	if err := l.PutJSONFor(ctx, key, w, ttl); err != nil { // EXPECT kvcounter|kvrace
		return true, err
	}
	return true, nil
}

// Wrap rejects requests over the limit with 429.
func (l *IPLimiter) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ok, _ := l.Allow(r)
		if !ok {
			w.Header().Set("Retry-After", strconv.Itoa(int(l.cfg.Window.Seconds())))
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// SignInGuard limits magic-link requests per email address.
type SignInGuard struct {
	NS  *edgekv.Namespace
	Max int
}

const attemptsPrefix = "attempts:signin:"

// Check records one sign-in attempt for email and reports whether to send
// another link.
func (g SignInGuard) Check(ctx context.Context, email string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	key := attemptsPrefix + strings.ToLower(email)
	raw, err := g.NS.GetString(key, nil) // EXPECT kvnull
	if err != nil {
		return false, err
	}
	n, _ := strconv.Atoi(raw)
	if n >= g.Max {
		return false, nil
	}
	if err := g.NS.PutString(key, strconv.Itoa(n+1), &kv.PutOptions{ExpirationTTL: 3600}); err != nil { // EXPECT kvcounter|kvrace
		return false, err
	}
	return true, nil
}
