//go:build js && wasm

// Package edge is the dunlin Worker: it serves deploy previews, the
// dashboard login, feature flags for the CLI, and build-log ingestion at the
// edge. Durable records live in D1; KV holds what is read far more often
// than it is written.
package edge

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cache"
	"github.com/syumai/workers/cloudflare/d1"
	"github.com/syumai/workers/cloudflare/fetch"
	"github.com/syumai/workers/cloudflare/kv"
)

// missing is what GetString returns for a key that does not exist (the
// runtime's null, rendered by syscall/js).
const missing = "<null>"

// Env holds the bindings of one invocation.
type Env struct {
	previews *kv.Namespace
	sessions *kv.Namespace
	flags    *kv.Namespace
	rates    *kv.Namespace
	db       *sql.DB
	cache    *cache.Cache
	client   *http.Client
	origin   string
	control  string
}

func openEnv() (*Env, error) {
	e := &Env{
		cache:   cache.New(),
		client:  fetch.NewClient().HTTPClient(fetch.RedirectModeFollow),
		origin:  cloudflare.Getenv("ARTEFACT_ORIGIN"),
		control: cloudflare.Getenv("CONTROL_PLANE_URL"),
	}
	for name, dst := range map[string]**kv.Namespace{
		"PREVIEWS": &e.previews,
		"SESSIONS": &e.sessions,
		"FLAGS":    &e.flags,
		"RATES":    &e.rates,
	} {
		ns, err := kv.NewNamespace(name)
		if err != nil {
			return nil, fmt.Errorf("binding %s: %w", name, err)
		}
		*dst = ns
	}
	c, err := d1.OpenConnector("DB")
	if err != nil {
		return nil, fmt.Errorf("binding DB: %w", err)
	}
	e.db = sql.OpenDB(c)
	return e, nil
}

// Handler is the Worker's fetch handler.
func Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e, err := openEnv()
		if err != nil {
			http.Error(w, "worker misconfigured", http.StatusInternalServerError)
			return
		}
		e.routes().ServeHTTP(w, r)
	})
}

func (e *Env) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /p/{slug}/{path...}", e.servePreview)
	mux.HandleFunc("GET /auth/login", e.login)
	mux.HandleFunc("GET /auth/callback", e.oauthCallback)
	mux.HandleFunc("POST /auth/logout", e.requireSession(e.logout))
	mux.HandleFunc("GET /api/session", e.requireSession(e.sessionInfo))
	mux.HandleFunc("POST /api/settings", e.requireSession(e.saveSettings))
	mux.HandleFunc("POST /api/v1/builds/{id}/log", e.appendBuildLog)
	mux.HandleFunc("GET /api/v1/flags", e.serveFlags)
	return e.limit(mux)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func copyResponse(w http.ResponseWriter, res *http.Response) {
	defer res.Body.Close()
	for k, vs := range res.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	w.WriteHeader(res.StatusCode)
	_, _ = io.Copy(w, res.Body)
}
