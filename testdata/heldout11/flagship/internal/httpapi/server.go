// Package httpapi serves the flag bundle API used by SDKs and the JSON API
// behind the admin console.
package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"example.com/flagship/internal/apikeys"
	"example.com/flagship/internal/audit"
	"example.com/flagship/internal/console"
	"example.com/flagship/internal/metering"
	"example.com/flagship/internal/storage"
)

// Ops is the set of KV operations the handlers need, filled in by main so
// tests can replace single operations.
type Ops struct {
	Get func(ctx context.Context, key string) ([]byte, error)
	Put func(ctx context.Context, key string, value []byte, ttl time.Duration) error
}

// Deps are the services the API is built from.
type Deps struct {
	Ops        Ops
	Edge       storage.Store // flags namespace, for middleware
	Keys       *apikeys.Service
	Quotas     *apikeys.Quotas
	Audit      *audit.Log
	Usage      *metering.Aggregator
	Sessions   *console.Sessions
	Auth       *console.Auth
	Log        *slog.Logger
	RatePerMin int
	Timeout    time.Duration
}

// Server is the HTTP API.
type Server struct {
	d       Deps
	bundles *bundleCache
	mux     *http.ServeMux
}

// New builds the server and its routes.
func New(d Deps, opts ...BundleOption) *Server {
	s := &Server{d: d, bundles: newBundleCache(d.Ops, opts...), mux: http.NewServeMux()}
	sdk := []Middleware{Timeout(d.Timeout), RateLimit(d.Edge, d.RatePerMin)}
	admin := []Middleware{Timeout(d.Timeout), RequireSession(d.Ops, d.Sessions.TTL()), AuditChanges(d.Edge, d.Audit)}
	routes := map[string]struct {
		h   handlerFunc
		mws []Middleware
	}{
		"GET /v1/bundle":                  {s.handleBundle, sdk},
		"POST /v1/evaluate":               {s.handleEvaluate, sdk},
		"POST /console/login":             {s.handleLogin, []Middleware{Timeout(d.Timeout)}},
		"POST /console/logout":            {s.handleLogout, admin},
		"PUT /console/prefs":              {s.handlePrefs, admin},
		"GET /api/projects/{id}":          {s.handleProject, admin},
		"POST /api/projects/{id}/origins": {s.handleAddOrigin, admin},
	}
	for pattern, r := range routes {
		s.mux.Handle(pattern, Chain(errorHandler(r.h), r.mws...))
	}
	return s
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// httpError carries a status code to errorHandler.
type httpError struct {
	Status int
	Msg    string
}

func (e *httpError) Error() string { return e.Msg }

func errStatus(status int, msg string) error { return &httpError{Status: status, Msg: msg} }

type handlerFunc func(w http.ResponseWriter, r *http.Request) error

func errorHandler(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := h(w, r)
		var he *httpError
		switch {
		case err == nil:
		case errors.As(err, &he):
			http.Error(w, he.Msg, he.Status)
		case errors.Is(err, storage.ErrNotFound):
			http.Error(w, "not found", http.StatusNotFound)
		case storage.IsRetryable(err):
			w.Header().Set("Retry-After", "2")
			http.Error(w, "storage busy", http.StatusServiceUnavailable)
		default:
			slog.Error("request failed", "path", r.URL.Path, "err", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
		}
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}

func readJSON(r *http.Request, v any) error {
	if err := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20)).Decode(v); err != nil {
		return errStatus(http.StatusBadRequest, "bad request body: "+err.Error())
	}
	return nil
}
