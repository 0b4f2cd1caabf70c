// Package proxy forwards authenticated API traffic to tenant origins.
package proxy

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"example.com/authgw/internal/kvport"
	"example.com/authgw/internal/middleware"
	"example.com/authgw/internal/routing"
)

// hop-by-hop headers are not forwarded (RFC 9110 §7.6.1).
var hopHeaders = []string{"Connection", "Keep-Alive", "Proxy-Connection", "Te", "Trailer", "Transfer-Encoding", "Upgrade"}

// Resolve finds the origin for a tenant path.
type Resolve func(ctx context.Context, tenant, path string) (*url.URL, routing.Route, error)

// Handler is the forwarding handler.
type Handler struct {
	Client  *http.Client
	Resolve Resolve
	KV      kvport.Store
	Log     *slog.Logger
	// StrictAllow, when set, is consulted for tenants on the strict plan.
	// It is backed by a Durable Object, so its count is exact.
	StrictAllow func(ctx context.Context, tenant string) (bool, error)
	Strict      map[string]bool
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := middleware.PrincipalFrom(r.Context())
	if p == nil || p.TenantID == "" {
		http.Error(w, "no tenant", http.StatusUnauthorized)
		return
	}
	ctx := r.Context()
	if h.Strict[p.TenantID] && h.StrictAllow != nil {
		ok, err := h.StrictAllow(ctx, p.TenantID)
		if err != nil || !ok {
			http.Error(w, "rate limited", http.StatusTooManyRequests)
			return
		}
	}
	path := strings.TrimPrefix(r.URL.Path, "/api")
	origin, route, err := h.Resolve(ctx, p.TenantID, path)
	if errors.Is(err, routing.ErrNoRoute) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		h.Log.Error("resolve", "tenant", p.TenantID, "err", err)
		http.Error(w, "bad gateway", http.StatusBadGateway)
		return
	}

	out := r.Clone(ctx)
	out.RequestURI = ""
	out.URL.Scheme, out.URL.Host = origin.Scheme, origin.Host
	out.URL.Path = strings.TrimSuffix(origin.Path, "/") + path
	out.Host = origin.Host
	for _, hh := range hopHeaders {
		out.Header.Del(hh)
	}
	out.Header.Del("Authorization")
	out.Header.Set("X-Gateway-Tenant", p.TenantID)
	out.Header.Set("X-Gateway-Key", p.KeyID)
	out.Header.Set("X-Gateway-Route", route.Alias)
	out.Header.Set("X-Request-Id", middleware.RequestIDFrom(ctx))

	resp, err := h.Client.Do(out)
	if err != nil {
		h.Log.Error("upstream", "tenant", p.TenantID, "alias", route.Alias, "err", err)
		http.Error(w, "bad gateway", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	for k, vs := range resp.Header {
		w.Header()[k] = vs
	}
	w.WriteHeader(resp.StatusCode)
	io.Copy(w, resp.Body)

	if err := h.countHit(ctx, p.TenantID); err != nil {
		h.Log.Warn("hit counter", "err", err)
	}
}

// countHit bumps the tenant's daily request counter shown on the dashboard.
func (h *Handler) countHit(ctx context.Context, tenant string) error {
	key := "hits:" + tenant + ":" + time.Now().UTC().Format("2006-01-02")
	var n uint64
	raw, err := h.KV.Get(ctx, key)
	switch {
	case err == nil:
		// Stored as hex so the dashboard can read it without a decoder.
		n, _ = strconv.ParseUint(string(raw), 16, 64)
	case !kvport.IsNotFound(err):
		return err
	}
	buf := strconv.AppendUint(nil, n+1, 16)
	return h.KV.Put(ctx, key, buf, kvport.WithTTL(90*24*time.Hour)) // EXPECT kvcounter
}
