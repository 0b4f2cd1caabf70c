// Package httpapi exposes gadwall over HTTP: the licensing API used by the
// desktop app, the customer portal and a few admin endpoints.
package httpapi

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"

	"gadwall/internal/activation"
	"gadwall/internal/clock"
	"gadwall/internal/kvstore"
	"gadwall/internal/license"
	"gadwall/internal/portal"
	"gadwall/internal/tenant"
	"gadwall/internal/trial"
	"gadwall/internal/webhook"
)

// Deps is what the handlers need.
type Deps struct {
	Tenants      *tenant.Registry
	Activation   *activation.Service
	Signer       activation.Signer
	Trials       *trial.Trials
	Portal       *portal.Portal
	Webhooks     *webhook.Processor
	Ops          kvstore.KV
	Releases     *kvstore.V2Store
	ReleasesREST *kvstore.RESTStore
	Clock        clock.Clock
	CDNBase      string
	AdminToken   string
	WebhookKey   string
}

// Routes builds the HTTP mux.
func Routes(d Deps) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/{tenant}/licenses/{license}/activate", handleActivate(d))
	mux.HandleFunc("POST /v1/{tenant}/licenses/{license}/deactivate", handleDeactivate(d))
	mux.HandleFunc("POST /v1/{tenant}/licenses/{license}/validate", handleValidate(d))
	mux.HandleFunc("POST /v1/{tenant}/licenses/{license}/grant", handleGrant(d))
	mux.HandleFunc("POST /v1/trials/{product}/{fingerprint}", handleTrialStart(d))
	mux.HandleFunc("GET /v1/{tenant}/flags", handleFlags(d))
	mux.HandleFunc("GET /v1/updates/{product}/{channel}", handleUpdateCheck(d))
	mux.HandleFunc("GET /v1/downloads/{product}/{version}", handleDownload(d))
	mux.HandleFunc("GET /v1/pricing", handlePricing(d))
	mux.HandleFunc("GET /healthz", handleHealth(d))

	mux.HandleFunc("POST /portal/login", handleLogin(d))
	mux.HandleFunc("GET /portal/login/magic", handleMagicRedeem(d))
	mux.HandleFunc("GET /portal/me", withSession(d, func(_ *portal.Portal, w http.ResponseWriter, _ *http.Request, s *portal.Session) error {
		return writeJSON(w, s)
	}))
	mux.HandleFunc("POST /portal/logout", withSession(d, sessionOnly((*portal.Portal).Logout)))
	mux.HandleFunc("POST /portal/tenant", withSession(d, handleSwitchTenant))
	mux.HandleFunc("POST /app/token", handleRotate(d))

	mux.HandleFunc("POST /webhooks/payments", webhook.Handler(d.Webhooks, d.WebhookKey))
	mux.HandleFunc("GET /admin/{tenant}/licenses", admin(d, handleLicensePage(d)))
	mux.HandleFunc("GET /admin/{tenant}/licenses/{license}", admin(d, handleLicenseShow(d)))
	mux.HandleFunc("POST /admin/releases", admin(d, handlePublishRelease(d)))
	return mux
}

func admin(d Deps, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if d.AdminToken == "" || r.Header.Get("Authorization") != "Bearer "+d.AdminToken {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		next(w, r)
	}
}

func writeJSON(w http.ResponseWriter, v any) error {
	w.Header().Set("Content-Type", "application/json")
	return json.NewEncoder(w).Encode(v)
}

func clientIP(r *http.Request) string {
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}

var statusOf = []struct {
	err    error
	status int
}{
	{license.ErrNotFound, http.StatusNotFound},
	{trial.ErrNotFound, http.StatusNotFound},
	{tenant.ErrUnknown, http.StatusNotFound},
	{license.ErrSeatLimit, http.StatusConflict},
	{activation.ErrNotActivated, http.StatusConflict},
	{license.ErrRevoked, http.StatusPaymentRequired},
	{license.ErrExpired, http.StatusPaymentRequired},
	{activation.ErrQuotaExceeded, http.StatusTooManyRequests},
	{portal.ErrThrottled, http.StatusTooManyRequests},
	{kvstore.ErrRateLimited, http.StatusTooManyRequests},
	{portal.ErrBadLogin, http.StatusUnauthorized},
	{portal.ErrInvalidToken, http.StatusUnauthorized},
	{portal.ErrNoSession, http.StatusUnauthorized},
}

// fail maps domain errors to HTTP statuses.
func fail(w http.ResponseWriter, err error) {
	status := http.StatusInternalServerError
	for _, e := range statusOf {
		if errors.Is(err, e.err) {
			status = e.status
			break
		}
	}
	if status == http.StatusInternalServerError {
		slog.Error("httpapi: request failed", "err", err)
	}
	http.Error(w, http.StatusText(status), status)
}
