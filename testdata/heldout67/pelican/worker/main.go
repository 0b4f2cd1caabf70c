//go:build js && wasm

// Command worker is Pelican's edge gateway. It checks API keys and per-key
// quotas against Workers KV and forwards accepted requests to the origin.
package main

import (
	"net/http"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/kv"
)

type gateway struct {
	keys     *kv.Namespace
	usage    *kv.Namespace
	upstream string
	adminTok string
}

func main() {
	keys, err := kv.NewNamespace("PELICAN_EDGE")
	if err != nil {
		panic(err)
	}
	usage, err := kv.NewNamespace("PELICAN_USAGE")
	if err != nil {
		panic(err)
	}
	gw := &gateway{
		keys:     keys,
		usage:    usage,
		upstream: cloudflare.Getenv("UPSTREAM_ORIGIN"),
		adminTok: cloudflare.Getenv("ADMIN_TOKEN"),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/__pelican/keys", gw.adminKeys)
	mux.HandleFunc("/__pelican/plans", gw.adminPlans)
	mux.HandleFunc("/__pelican/negative", gw.adminNegative)
	mux.HandleFunc("/v1/status", gw.status)
	mux.HandleFunc("/portal/", gw.portal)
	mux.HandleFunc("/", gw.serve)
	workers.Serve(mux)
}

func (g *gateway) serve(w http.ResponseWriter, r *http.Request) {
	id, status := g.authenticate(r)
	if status != http.StatusOK {
		http.Error(w, http.StatusText(status), status)
		return
	}
	if !g.hasScope(id, scopeFor(r)) {
		http.Error(w, "insufficient scope", http.StatusForbidden)
		return
	}
	if retry, ok := g.allow(id); !ok {
		w.Header().Set("Retry-After", retry)
		http.Error(w, "quota exceeded", http.StatusTooManyRequests)
		return
	}
	g.proxy(w, r, id)
}

func (g *gateway) proxy(w http.ResponseWriter, r *http.Request, id identity) {
	out, err := http.NewRequestWithContext(r.Context(), r.Method, g.upstream+r.URL.RequestURI(), r.Body)
	if err != nil {
		http.Error(w, "bad gateway", http.StatusBadGateway)
		return
	}
	out.Header = r.Header.Clone()
	out.Header.Del("Authorization")
	out.Header.Set("X-Pelican-Key", id.Hash)
	out.Header.Set("X-Pelican-Developer", id.Record.DeveloperIDString())
	res, err := http.DefaultClient.Do(out)
	if err != nil {
		http.Error(w, "bad gateway", http.StatusBadGateway)
		return
	}
	defer res.Body.Close()
	for k, v := range res.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(res.StatusCode)
	_, _ = copyBody(w, res)
}
