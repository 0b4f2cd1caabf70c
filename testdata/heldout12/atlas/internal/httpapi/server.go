// Package httpapi is the dashboard and CI-facing HTTP API.
package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"example.com/atlas/internal/analytics"
	"example.com/atlas/internal/apikeys"
	"example.com/atlas/internal/app"
	"example.com/atlas/internal/audit"
	"example.com/atlas/internal/builds"
	"example.com/atlas/internal/config"
	"example.com/atlas/internal/previews"
	"example.com/atlas/internal/redirects"
	"example.com/atlas/internal/routing"
	"example.com/atlas/internal/sessions"
	"example.com/atlas/internal/storage"
)

// Authenticator checks an editor's password and returns the user and the
// sites they may edit.
type Authenticator func(ctx context.Context, email, password string) (userID string, sites []string, err error)

// ErrBadCredentials is what an Authenticator returns for a wrong password.
var ErrBadCredentials = errors.New("httpapi: bad credentials")

var errBadRequest = errors.New("bad request body")

// Server holds the handlers' dependencies.
type Server struct {
	cfg       *config.Config
	log       *slog.Logger
	content   storage.Store
	routes    storage.Store
	routing   *routing.Service
	redirects *redirects.Service
	builds    *builds.Publisher
	previews  *previews.Service
	sessions  *sessions.Manager
	keys      *apikeys.Service
	audit     *audit.Logger
	views     *analytics.Collector

	Authenticate Authenticator
}

// NewServer pulls its dependencies out of the registry filled by the
// composition root.
func NewServer(deps *app.Registry, cfg *config.Config, log *slog.Logger) (*Server, error) {
	s := &Server{cfg: cfg, log: log}
	var ok bool
	if s.content, ok = deps.Lookup("kv.content").(storage.Store); !ok {
		return nil, errors.New("httpapi: kv.content is not a storage.Store")
	}
	if s.routes, ok = deps.Lookup("kv.routing").(storage.Store); !ok {
		return nil, errors.New("httpapi: kv.routing is not a storage.Store")
	}
	s.routing = app.Must[*routing.Service](deps, "routing")
	s.redirects = app.Must[*redirects.Service](deps, "redirects")
	s.builds = app.Must[*builds.Publisher](deps, "builds")
	s.previews = app.Must[*previews.Service](deps, "previews")
	s.sessions = app.Must[*sessions.Manager](deps, "sessions")
	s.keys = app.Must[*apikeys.Service](deps, "apikeys")
	s.audit = app.Must[*audit.Logger](deps, "audit")
	s.views = app.Must[*analytics.Collector](deps, "analytics")
	return s, nil
}

// Handler returns the routed API.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	editor := func(h http.Handler) http.Handler { return &sessionGate{s: s, next: h} }
	ci := func(h http.Handler) http.Handler { return &keyGate{s: s, next: h} }

	mux.Handle("POST /v1/sessions", &loginHandler{s})
	mux.Handle("DELETE /v1/sessions/current", editor(&logoutHandler{s}))
	mux.Handle("PUT /v1/sessions/current/site/{site}", editor(&switchSiteHandler{s}))

	mux.Handle("GET /v1/sites/{site}/routes", editor(&routesHandler{s}))
	mux.Handle("PUT /v1/sites/{site}/routes/{prefix...}", editor(&setRouteHandler{s}))
	mux.Handle("POST /v1/claims/{slug}", editor(&claimHandler{s}))

	mux.Handle("POST /v1/sites/{site}/redirects", editor(&addRedirectHandler{s}))
	mux.Handle("POST /v1/sites/{site}/redirect-hits", ci(&redirectHitHandler{s}))

	mux.Handle("POST /v1/sites/{site}/builds", ci(&publishHandler{s}))
	mux.Handle("GET /v1/sites/{site}/builds/{build}", editor(&manifestHandler{s}))

	mux.Handle("POST /v1/sites/{site}/previews", editor(&previewHandler{s}))
	mux.Handle("GET /v1/previews/{token}", &previewHandler{s})
	mux.Handle("DELETE /v1/previews/{token}", editor(&previewHandler{s}))

	mux.Handle("POST /v1/sites/{site}/views", ci(&viewHandler{s}))
	mux.Handle("GET /v1/admin/stats", editor(&statsHandler{s}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	return mux
}

type ctxKey int

const (
	sessionCtx ctxKey = iota
	apiKeyCtx
)

func sessionFrom(r *http.Request) sessions.Session {
	s, _ := r.Context().Value(sessionCtx).(sessions.Session)
	return s
}

func apiKeyFrom(r *http.Request) apikeys.APIKey {
	k, _ := r.Context().Value(apiKeyCtx).(apikeys.APIKey)
	return k
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, err error) {
	writeJSON(w, status, map[string]string{"error": err.Error()})
}

func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%w: %v", errBadRequest, err)
	}
	return nil
}

// sessionGate admits requests carrying a live editor session.
type sessionGate struct {
	s    *Server
	next http.Handler
}

func (g *sessionGate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie("atlas_session")
	if err != nil {
		writeError(w, http.StatusUnauthorized, errors.New("not signed in"))
		return
	}
	sess, err := g.s.sessions.Get(r.Context(), c.Value)
	switch {
	case errors.Is(err, sessions.ErrNoSession), errors.Is(err, sessions.ErrExpired):
		writeError(w, http.StatusUnauthorized, err)
		return
	case err != nil:
		writeError(w, http.StatusServiceUnavailable, err)
		return
	}
	if r.Method != http.MethodGet && r.Header.Get("X-CSRF-Token") != sess.CSRF {
		writeError(w, http.StatusForbidden, errors.New("csrf token mismatch"))
		return
	}
	if sess, err = g.s.sessions.Touch(r.Context(), sess); err != nil {
		g.s.log.Warn("session touch failed", "err", err)
	}
	g.next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), sessionCtx, sess)))
}

// keyGate admits CI requests carrying a valid API key within its rate.
type keyGate struct {
	s    *Server
	next http.Handler
}

func (g *keyGate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	secret, ok := bearer(r)
	if !ok {
		writeError(w, http.StatusUnauthorized, errors.New("missing bearer key"))
		return
	}
	k, err := g.s.keys.Verify(r.Context(), secret)
	if err != nil {
		writeError(w, http.StatusUnauthorized, err)
		return
	}
	if k.SiteID != r.PathValue("site") {
		writeError(w, http.StatusForbidden, errors.New("key not valid for this site"))
		return
	}
	allowed, err := g.s.keys.Allow(r.Context(), k.ID)
	if err != nil {
		writeError(w, http.StatusServiceUnavailable, err)
		return
	}
	if !allowed {
		w.Header().Set("Retry-After", "60")
		writeError(w, http.StatusTooManyRequests, errors.New("rate limited"))
		return
	}
	g.next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), apiKeyCtx, k)))
}

func bearer(r *http.Request) (string, bool) {
	secret, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return secret, ok && secret != ""
}
