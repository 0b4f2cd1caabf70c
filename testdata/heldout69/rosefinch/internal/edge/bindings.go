//go:build js && wasm

// Package edge is the Worker that fronts every preview hostname: it routes
// requests to the environment's origin, redeems bootstrap tokens and keeps
// browser sessions for previews.
package edge

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strings"

	"github.com/syumai/workers/cloudflare"
)

// KV binding names from wrangler.toml.
const (
	bindRoutes   = "ROUTES"
	bindTokens   = "TOKENS"
	bindSessions = "SESSIONS"
)

// kvNull is what GetString returns for a key that does not exist.
const kvNull = "<null>"

type namespaces struct {
	routes   *cloudflare.KVNamespace
	tokens   *cloudflare.KVNamespace
	sessions *cloudflare.KVNamespace
}

func openNamespaces(ctx context.Context) (*namespaces, error) {
	var ns namespaces
	var err error
	if ns.routes, err = cloudflare.NewKVNamespace(ctx, bindRoutes); err != nil {
		return nil, err
	}
	if ns.tokens, err = cloudflare.NewKVNamespace(ctx, bindTokens); err != nil {
		return nil, err
	}
	if ns.sessions, err = cloudflare.NewKVNamespace(ctx, bindSessions); err != nil {
		return nil, err
	}
	return &ns, nil
}

func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func previewHost(r *http.Request) string {
	host := r.Host
	if h := r.Header.Get("X-Forwarded-Host"); h != "" {
		host = h
	}
	host, _, _ = strings.Cut(host, ":")
	return strings.ToLower(host)
}

func clientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	return "unknown"
}

// WithNamespaces opens the bindings and calls fn with them.
func WithNamespaces(w http.ResponseWriter, r *http.Request, fn func(http.ResponseWriter, *http.Request, *namespaces)) {
	ns, err := openNamespaces(r.Context())
	if err != nil {
		http.Error(w, "misconfigured", http.StatusInternalServerError)
		return
	}
	fn(w, r, ns)
}
