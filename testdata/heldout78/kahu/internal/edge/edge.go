//go:build js && wasm

// Package edge is the Cloudflare Worker in front of kahu's public hosts. It
// answers ACME HTTP-01 challenges for tracking domains, serves one-click
// unsubscribe links and the preference center, and redirects tracked links.
package edge

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"

	"github.com/syumai/workers/cloudflare"
)

// null is how syumai/workers renders a missing key from GetString.
const null = "<null>"

// App bundles the KV bindings the Worker uses.
type App struct {
	Challenges *cloudflare.KVNamespace // ACME
	Links      *cloudflare.KVNamespace // unsubscribe tokens, tracked links, prefs sessions
	Supp       *cloudflare.KVNamespace // suppression lists
}

// NewApp binds the namespaces configured in wrangler.toml.
func NewApp() (*App, error) {
	ch, err := cloudflare.NewKVNamespace("CHALLENGES")
	if err != nil {
		return nil, err
	}
	links, err := cloudflare.NewKVNamespace("LINKS")
	if err != nil {
		return nil, err
	}
	supp, err := cloudflare.NewKVNamespace("SUPPRESSIONS")
	if err != nil {
		return nil, err
	}
	return &App{Challenges: ch, Links: links, Supp: supp}, nil
}

// Handler returns the Worker's router.
func (a *App) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/acme-challenge/{token}", a.serveChallenge)
	mux.HandleFunc("GET /u/{token}", a.unsubscribePage)
	mux.HandleFunc("POST /u/{token}", a.unsubscribeOneClick)
	mux.HandleFunc("GET /o/{qid}", a.openPixel)
	mux.HandleFunc("GET /c/{id}", a.click)
	mux.HandleFunc("GET /prefs", a.preferences)
	return mux
}

func (a *App) serveChallenge(w http.ResponseWriter, r *http.Request) {
	host := strings.ToLower(r.Host)
	if i := strings.IndexByte(host, ':'); i >= 0 {
		host = host[:i]
	}
	key := "acme:http01:" + host + ":" + r.PathValue("token")
	v, err := a.Challenges.GetString(key, &cloudflare.KVNamespaceGetOptions{CacheTTL: 30})
	if err != nil {
		http.Error(w, "upstream error", http.StatusBadGateway)
		return
	}
	if v == null {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	_, _ = w.Write([]byte(v))
}

func suppressionKey(customer, rcpt string) string {
	rcpt = strings.ToLower(strings.TrimSpace(rcpt))
	if at := strings.LastIndexByte(rcpt, '@'); at > 0 {
		if plus := strings.IndexByte(rcpt[:at], '+'); plus > 0 {
			rcpt = rcpt[:plus] + rcpt[at:]
		}
	}
	h := sha256.New()
	h.Write([]byte(rcpt))
	h.Write([]byte{0})
	return "supp:" + customer + ":" + hex.EncodeToString(h.Sum(nil)[:12])
}
