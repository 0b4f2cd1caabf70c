// Package httpapi is the registry mirror's HTTP interface: the package API
// used by clients and the account pages used by publishers.
package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/tealpkg/teal/internal/account"
	"github.com/tealpkg/teal/internal/downloads"
	"github.com/tealpkg/teal/internal/kvstore"
	"github.com/tealpkg/teal/internal/registry"
	"github.com/tealpkg/teal/internal/tokens"
	"github.com/tealpkg/teal/internal/twofactor"
)

// backends are the storage handles.
type backends struct {
	kv *kvstore.Client
	ns kvstore.Namespaces
}

// services are the domain services built on the backends.
type services struct {
	backends
	reg      *registry.Registry
	tokens   *tokens.Store
	sessions *account.Sessions
	links    *account.Links
	otp      *twofactor.Service
	stats    *downloads.Stats
}

// Config holds tunables read at start-up.
type Config struct {
	PublishLimit  int           // publishes per window and IP
	PublishWindow time.Duration // rate-limit window
	QuotaBytes    int64         // storage quota per owner
	ViewSample    int64
	Upstream      registry.Upstream
}

// App is the HTTP application.
type App struct {
	services
	cfg    Config
	log    *slog.Logger
	limits kvstore.Store[clientIP, window]
	views  map[string]any
}

// Handler serves one route group.
type Handler struct {
	app *App
}

// New wires the application.
func New(kv *kvstore.Client, ns kvstore.Namespaces, cfg Config) *App {
	a := &App{cfg: cfg, log: slog.Default(), views: map[string]any{}}
	a.kv, a.ns = kv, ns
	a.reg = registry.New(kv, ns)
	a.tokens = tokens.NewStore(kv, ns.Auth, 90*24*time.Hour)
	a.sessions = account.NewSessions(kv, ns.Auth, 12*time.Hour, kvstore.Sliding|kvstore.Retry)
	a.links = account.NewLinks(kv, ns.Auth)
	a.otp = twofactor.New(kv, ns.Auth)
	a.stats = downloads.New(kv, ns.Counters)
	a.limits = kvstore.NewJSONStore[clientIP, window](kv, ns.Counters, "ratelimit:publish:")
	return a
}

// Routes returns the HTTP handler.
func (a *App) Routes() http.Handler {
	h := &Handler{app: a}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", h.health)
	mux.HandleFunc("GET /api/packages/{name}", h.packageDoc)
	mux.HandleFunc("GET /api/packages/{name}/readme", h.readme)
	mux.HandleFunc("GET /api/packages/{name}/{version}/download", h.download)
	mux.HandleFunc("PUT /api/packages/{name}", h.publish)
	mux.HandleFunc("POST /api/packages/{name}/yank", h.yank)
	mux.HandleFunc("PUT /api/packages/{name}/tags", h.setTags)
	mux.HandleFunc("POST /api/packages/{name}/embargo", h.embargo)
	mux.HandleFunc("POST /admin/cache/{name}", h.pinCache)
	mux.HandleFunc("POST /login/link", h.requestLink)
	mux.HandleFunc("GET /login/link/{token}", h.consumeLink)
	mux.HandleFunc("POST /login/confirm", h.confirmCode)
	mux.HandleFunc("POST /logout", h.logout)
	mux.HandleFunc("GET /account", h.accountPage)
	mux.HandleFunc("POST /account/tokens", h.mintToken)
	mux.HandleFunc("DELETE /account/tokens/{id}", h.revokeToken)
	return h.recoverer(mux)
}

// recoverer turns panics from must-style helpers into 500 responses.
func (h *Handler) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				err, ok := kvstore.As[error](v)
				if !ok {
					err = fmt.Errorf("panic: %v", v)
				}
				h.app.log.Error("request failed", "path", r.URL.Path, "err", err)
				http.Error(w, "internal error", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (h *Handler) fail(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, registry.ErrUnknownPackage), errors.Is(err, kvstore.ErrNotFound):
		http.Error(w, "not found", http.StatusNotFound)
	case errors.Is(err, tokens.ErrInvalid), errors.Is(err, account.ErrNoSession):
		http.Error(w, "unauthorized", http.StatusUnauthorized)
	case errors.Is(err, context.DeadlineExceeded):
		http.Error(w, "timeout", http.StatusGatewayTimeout)
	default:
		h.app.log.Error("request failed", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}

func (h *Handler) health(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	stamp := []byte(time.Now().UTC().Format(time.RFC3339Nano))
	if err := h.app.kv.Put(ctx, h.app.ns.Index, "health:probe", stamp, 0); err != nil { // EXPECT kvhotkey
		http.Error(w, "kv unavailable", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) packageDoc(w http.ResponseWriter, r *http.Request) {
	name := registry.PackageName(r.PathValue("name"))
	m, err := h.app.reg.Metadata(r.Context(), h.app.cfg.Upstream, name)
	if err != nil {
		h.fail(w, err)
		return
	}
	if err := h.app.stats.CountView(r.Context(), string(name), h.app.views, h.app.cfg.ViewSample); err != nil {
		h.app.log.Warn("count view", "err", err)
	}
	writeJSON(w, http.StatusOK, m)
}

func (h *Handler) readme(w http.ResponseWriter, r *http.Request) {
	text, err := h.app.reg.Readme(r.Context(), h.app.cfg.Upstream, registry.PackageName(r.PathValue("name")))
	if err != nil {
		h.fail(w, err)
		return
	}
	w.Header().Set("Content-Type", "text/markdown; charset=utf-8")
	_, _ = w.Write([]byte(text))
}

func (h *Handler) download(w http.ResponseWriter, r *http.Request) {
	name, version := r.PathValue("name"), r.PathValue("version")
	if err := h.app.stats.Record(r.Context(), name, version); err != nil {
		h.app.log.Warn("record download", "pkg", name, "err", err)
	}
	http.Redirect(w, r, h.app.cfg.Upstream.Base.JoinPath("files", name, version).String(), http.StatusFound)
}
