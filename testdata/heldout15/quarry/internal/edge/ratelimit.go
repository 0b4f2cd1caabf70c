//go:build js && wasm

// Package edge holds request-path helpers that talk to KV directly: the
// per-IP abuse limiter and feature flags.
package edge

import (
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/quarry/internal/codec"
	"example.com/quarry/internal/config"
	"example.com/quarry/internal/edge/kvx"
)

// ClientIP returns the connecting client's address as Cloudflare reports it.
func ClientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	if ip := strings.TrimSpace(strings.Split(r.Header.Get("X-Forwarded-For"), ",")[0]); ip != "" {
		return ip
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// IPLimiter caps anonymous requests per client IP per window.
type IPLimiter struct {
	ns     *kv.Namespace
	limit  int
	window time.Duration
}

func NewIPLimiter(ns *kv.Namespace, c config.Edge) *IPLimiter {
	return &IPLimiter{ns: ns, limit: c.IPLimit, window: c.IPWindow.Duration}
}

// Allow counts this request and reports whether the IP is under its limit.
// It fails open: a KV error lets the request through.
func (l *IPLimiter) Allow(r *http.Request) (bool, error) {
	key := "rl:ip:" + ClientIP(r)
	raw, err := l.ns.GetString(key, nil)
	if err != nil {
		return true, err
	}
	count := 0
	if !kvx.Missing(raw) {
		if n, err := strconv.Atoi(raw); err == nil {
			count = n
		}
	}
	if count >= l.limit {
		return false, nil
	}
	if err := l.ns.PutString(key, strconv.Itoa(count+1), &kv.PutOptions{ExpirationTTL: codec.Seconds(l.window)}); err != nil { // EXPECT kvcounter
		return true, err
	}
	return true, nil
}

// Blocked reports whether the IP was put on the block list by the abuse team.
func (l *IPLimiter) Blocked(r *http.Request) (bool, error) {
	v, err := l.ns.GetString("block:ip:"+ClientIP(r), &kv.GetOptions{CacheTTL: 300})
	if err != nil {
		return false, err
	}
	return !kvx.Missing(v), nil
}
