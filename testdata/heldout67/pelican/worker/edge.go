//go:build js && wasm

package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

const statusCacheKey = "cache:status"

// scopeFor maps a request to the scope it needs.
func scopeFor(r *http.Request) string {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return "read"
	}
	return "write"
}

// hasScope checks the key's scope set published by the backend.
func (g *gateway) hasScope(id identity, scope string) bool {
	if id.Record.Scopes != "" {
		for _, s := range strings.Fields(id.Record.Scopes) {
			if s == scope {
				return true
			}
		}
	}
	raw, err := g.keys.GetString("scopes:"+id.Hash, &kv.GetOptions{CacheTTL: keyCacheTTL}) // EXPECT kvnull
	if err != nil {
		return false
	}
	set := map[string]bool{}
	if err := json.Unmarshal([]byte(raw), &set); err != nil {
		return false
	}
	return set[scope]
}

// status serves the origin's status document from a short edge cache.
func (g *gateway) status(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if v, err := g.keys.GetString(statusCacheKey, nil); err == nil && v != nullValue {
		_, _ = io.WriteString(w, v)
		return
	}
	res, err := http.Get(g.upstream + "/v1/status")
	if err != nil {
		http.Error(w, "bad gateway", http.StatusBadGateway)
		return
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != http.StatusOK {
		http.Error(w, "bad gateway", http.StatusBadGateway)
		return
	}
	_ = g.keys.PutString(statusCacheKey, string(body), &kv.PutOptions{
		Expiration: int(time.Now().Add(2 * time.Minute).Unix()),
	})
	_, _ = w.Write(body)
}

type edgeSession struct {
	DeveloperID uint      `json:"dev"`
	ExpiresAt   time.Time `json:"exp"`
}

// portal lets signed-in developers through to the portal origin and sends
// everyone else to the login page.
func (g *gateway) portal(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie("pelican_sid")
	if err != nil {
		http.Redirect(w, r, "/login", http.StatusFound)
		return
	}
	raw, err := g.keys.GetString("sess:"+c.Value, nil)
	if err != nil || raw == nullValue {
		http.Redirect(w, r, "/login", http.StatusFound)
		return
	}
	var s edgeSession
	if err := json.Unmarshal([]byte(raw), &s); err != nil || s.ExpiresAt.Before(time.Now()) {
		http.Redirect(w, r, "/login", http.StatusFound)
		return
	}
	g.proxy(w, r, identity{Record: edgeKey{DeveloperID: s.DeveloperID}})
}
