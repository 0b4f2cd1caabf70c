// Package httpapi is billingd's public HTTP API: usage ingest for customers'
// services (API-key auth) and the portal endpoints (session auth).
package httpapi

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"

	"example.com/billing/internal/apikeys"
	"example.com/billing/internal/config"
	"example.com/billing/internal/entitlements"
	"example.com/billing/internal/invoices"
	"example.com/billing/internal/sessions"
	"example.com/billing/internal/storage"
)

// Deps are the server's collaborators, wired in main. Function fields keep
// the handlers independent of the concrete services.
type Deps struct {
	Store storage.Store

	LoadSession   func(ctx context.Context, id string) (sessions.Session, error)
	TouchSession  func(ctx context.Context, s sessions.Session) error
	SaveSession   func(ctx context.Context, s sessions.Session) error
	RevokeSession func(ctx context.Context, id string) error

	ResolveKey   func(ctx context.Context, secret string) (apikeys.Record, error)
	RecordUsage  func(ctx context.Context, customerID, metric string, units int64) error
	CheckQuota   func(ctx context.Context, customerID, metric string) error
	Entitlements func(ctx context.Context, customerID string) (entitlements.Entitlements, error)

	Invoices *invoices.Cache
	Log      *slog.Logger
}

// Server is the API.
type Server struct {
	deps    Deps
	cookie  string
	limits  config.RateLimit
	handler http.Handler
}

// New builds the route table and middleware chains.
func New(deps Deps, cfg config.Config) *Server {
	s := &Server{deps: deps, cookie: cfg.Sessions.CookieName, limits: cfg.RateLimit}

	ingest := map[string]http.HandlerFunc{
		"POST /v1/usage":         s.handleUsage,
		"GET /v1/quota/{metric}": s.handleQuota,
		"GET /v1/entitlements":   s.handleEntitlements,
	}
	portal := map[string]http.HandlerFunc{
		"GET /portal/invoices":               s.handleInvoices,
		"GET /portal/invoices/{id}/download": s.handleDownload,
		"POST /portal/session/customer":      s.handleSwitchCustomer,
		"POST /portal/logout":                s.handleLogout,
	}

	mux := http.NewServeMux()
	for pattern, h := range ingest {
		mux.Handle(pattern, chain(h, s.withAPIKey, s.withRateLimit))
	}
	for pattern, h := range portal {
		mux.Handle(pattern, chain(h, s.withSession))
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	s.handler = chain(mux.ServeHTTP, s.withRecover, s.withRequestLog, s.withLastSeen)
	return s
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}
