// Package httpapi is the HTTP surface of the invoicing backend.
package httpapi

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	cloudflare "github.com/cloudflare/cloudflare-go/v5"

	"kinglet/internal/apikeys"
	"kinglet/internal/config"
	"kinglet/internal/dunning"
	"kinglet/internal/fxrates"
	"kinglet/internal/invoicing"
	"kinglet/internal/kvstore"
	"kinglet/internal/paylinks"
	"kinglet/internal/portal"
)

const sessionCookie = "kinglet_session"

// Server holds everything the handlers need.
type Server struct {
	Cfg      config.Config
	Client   *cloudflare.Client
	Store    *kvstore.Store
	Drafts   *invoicing.DraftStore
	Issuer   invoicing.Issuer
	Links    *paylinks.Service
	Dunning  dunning.Job
	FX       *fxrates.Cache
	Keys     apikeys.Registry
	Usage    *apikeys.Usage
	Sessions portal.Sessions
	Login    portal.Login
	Log      *slog.Logger
}

// Routes registers every endpoint on a new mux.
func (s *Server) Routes() *http.ServeMux {
	mux := http.NewServeMux()

	mux.HandleFunc("POST /drafts", s.saveDraft)
	mux.HandleFunc("DELETE /drafts/{customer}/{id}", s.deleteDraft)
	mux.HandleFunc("POST /drafts/{customer}/{id}/issue", s.issueDraft)
	mux.HandleFunc("GET /customers/{customer}/invoices/{number}", s.viewInvoice)
	mux.HandleFunc("POST /customers/{customer}/import", s.importInvoices)
	mux.HandleFunc("PUT /customers/{customer}/settings", s.updateSettings)
	mux.HandleFunc("GET /customers/{customer}/templates/{name}", s.getTemplate)

	mux.HandleFunc("GET /pay/{token}", s.showPayLink)
	mux.HandleFunc("POST /pay/{token}/complete", s.completePayment)
	mux.HandleFunc("POST /pay/{token}/partial", s.partialPayment)
	mux.HandleFunc("POST /webhooks/psp", s.pspWebhook)

	mux.HandleFunc("POST /login", s.requestLogin)
	mux.HandleFunc("GET /login/{token}", s.finishLogin)
	mux.HandleFunc("POST /logout", s.logout)
	mux.HandleFunc("POST /portal/company", s.switchCompany)
	mux.HandleFunc("POST /portal/password", s.passwordChanged)
	mux.HandleFunc("POST /portal/step-up", s.stepUp)
	mux.HandleFunc("POST /portal/slug/{slug}", s.claimSlug)

	mux.HandleFunc("GET /fx/{base}", s.fxLatest)
	mux.HandleFunc("GET /fx/{base}/spot", s.fxSpot)

	mux.HandleFunc("POST /customers/{customer}/keys", s.createKey)
	mux.HandleFunc("GET /customers/{customer}/keys", s.listKeys)
	mux.HandleFunc("DELETE /customers/{customer}/keys/{id}", s.revokeKey)
	mux.HandleFunc("GET /admin/kv/{ns}/keys", s.adminListKeys)
	return mux
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusInternalServerError
	switch {
	case kvstore.IsNotFound(err), errors.Is(err, paylinks.ErrUnknownLink):
		status = http.StatusNotFound
	case errors.Is(err, portal.ErrInvalidCode), errors.Is(err, apikeys.ErrUnauthenticated):
		status = http.StatusUnauthorized
	case errors.Is(err, portal.ErrTooManyAttempts):
		status = http.StatusTooManyRequests
	}
	s.Log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	http.Error(w, http.StatusText(status), status)
}

// session loads the caller's portal session and keeps it alive.
func (s *Server) session(w http.ResponseWriter, r *http.Request) (portal.Session, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		http.Error(w, "sign in required", http.StatusUnauthorized)
		return portal.Session{}, false
	}
	sess, err := s.Sessions.Get(r.Context(), c.Value)
	if err != nil {
		http.Error(w, "sign in required", http.StatusUnauthorized)
		return portal.Session{}, false
	}
	if ok, err := s.Sessions.Valid(r.Context(), sess); err != nil || !ok {
		http.Error(w, "sign in required", http.StatusUnauthorized)
		return portal.Session{}, false
	}
	if err := s.Sessions.Touch(r.Context(), sess); err != nil {
		s.Log.Warn("touch session", "err", err)
	}
	return sess, true
}

// apiKey authenticates a machine caller and counts the request.
func (s *Server) apiKey(w http.ResponseWriter, r *http.Request) (apikeys.Key, bool) {
	secret := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	k, err := s.Keys.Authenticate(r.Context(), secret)
	if err != nil {
		s.fail(w, r, err)
		return apikeys.Key{}, false
	}
	if k.CustomerID != r.PathValue("customer") {
		http.Error(w, "forbidden", http.StatusForbidden)
		return apikeys.Key{}, false
	}
	s.Usage.Hit(k.ID)
	return k, true
}
