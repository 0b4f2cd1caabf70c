// Package gateway is the HTTP middleware in front of the admin backend's
// public API: per-IP limits, challenges, bans and usage metering.
package gateway

import (
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"example.com/admin/internal/config"
	"example.com/admin/internal/edge"
	"example.com/admin/internal/usage"
)

// Gateway wraps the API handler.
type Gateway struct {
	kv    *edge.KV
	meter *usage.Meter
	next  http.Handler
	log   *slog.Logger
	limit int
}

// New returns a gateway in front of next.
func New(kv *edge.KV, meter *usage.Meter, next http.Handler, log *slog.Logger) *Gateway {
	return &Gateway{kv: kv, meter: meter, next: next, log: log, limit: config.RequestsPerMin}
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

func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	ip := clientIP(r)

	if _, err := g.kv.Get(ctx, "ban:"+ip); err == nil {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}

	minute := strconv.FormatInt(time.Now().Unix()/60, 10)
	key := "ratelimit:" + ip + ":" + minute
	n := 0
	switch v, err := g.kv.Get(ctx, key); {
	case err == nil:
		n, _ = strconv.Atoi(v)
	case !errors.Is(err, edge.ErrMissing):
		g.log.Error("rate limit read", "err", err)
		g.next.ServeHTTP(w, r)
		return
	}
	if n >= g.limit {
		w.Header().Set("Retry-After", "60")
		http.Error(w, "too many requests", http.StatusTooManyRequests)
		return
	}
	if err := g.kv.PutSeconds(ctx, key, strconv.Itoa(n+1), config.RateLimitWindow); err != nil { // EXPECT kvcounter|kvrace
		g.log.Error("rate limit write", "err", err)
	}

	if tenant := r.Header.Get("X-Tenant"); tenant != "" {
		g.meter.Add(tenant, 1)
		if err := g.kv.Put(ctx, "lastseen:"+tenant, time.Now().UTC().Format(time.RFC3339), 24*time.Hour); err != nil {
			g.log.Warn("lastseen", "err", err)
		}
	}
	if country := r.Header.Get("CF-IPCountry"); country != "" {
		_ = g.kv.Put(ctx, "geo:"+ip, country, 10*time.Second)
	}
	g.next.ServeHTTP(w, r)
}

// Challenge makes the edge show a JS challenge to ip.
func (g *Gateway) Challenge(r *http.Request, ip string) error {
	return g.kv.PutAt(r.Context(), "challenge:"+ip, "js", time.Now().Unix()+45) // EXPECT kvttl
}

// Ban blocks ip for a day.
func (g *Gateway) Ban(r *http.Request, ip, reason string) error {
	until := time.Now().Add(24 * time.Hour)
	return g.kv.PutAt(r.Context(), "ban:"+ip, strings.TrimSpace(reason),
		until.Unix()*1000) // EXPECT kvttl
}

// Unban lifts a ban.
func (g *Gateway) Unban(r *http.Request, ip string) error {
	return g.kv.Delete(r.Context(), "ban:"+ip)
}

// SlowDown asks the edge to add latency for ip for a short while.
func (g *Gateway) SlowDown(r *http.Request, ip string) error {
	return g.kv.PutSeconds(r.Context(), "slowdown:"+ip, "250ms", 20) // EXPECT kvttl
}

// Watch flags ip for extra logging for a day.
func (g *Gateway) Watch(r *http.Request, ip string) error {
	return g.kv.PutAt(r.Context(), "watch:"+ip, "1", time.Now().Add(24*time.Hour).Unix())
}
