// Package web wires HTTP routes to the domain services.
package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/pressroom/internal/archive"
	"example.com/pressroom/internal/campaigns"
	"example.com/pressroom/internal/editor"
	"example.com/pressroom/internal/httpx"
	"example.com/pressroom/internal/keys"
	"example.com/pressroom/internal/kvx"
	"example.com/pressroom/internal/ratelimit"
	"example.com/pressroom/internal/store"
	"example.com/pressroom/internal/subscribers"
	"example.com/pressroom/internal/tenants"
	"example.com/pressroom/internal/tracking"
)

// Deps are the collaborators the routes need.
type Deps struct {
	NS        *kv.Namespace
	Subs      *subscribers.Service
	Editors   *editor.Manager
	Tenants   *tenants.Service
	Scheduler *campaigns.Scheduler
	Tracker   *tracking.Tracker
	Archive   *archive.Handler
	Limiter   *ratelimit.Limiter
	Cookie    string
	Log       *slog.Logger

	// Touch records that the worker served a request, for the status page.
	Touch func(ctx context.Context, key, value string, opts ...store.PutOption) error
}

type server struct{ Deps }

// New returns the worker's HTTP handler.
func New(d Deps) http.Handler {
	s := &server{Deps: d}
	public := map[string]http.HandlerFunc{
		"GET /confirm":       s.confirm,
		"GET /unsubscribe":   s.unsubscribe,
		"GET /archive":       d.Archive.Index,
		"GET /archive/":      d.Archive.Issue,
		"GET /api/archive":   d.Archive.API,
		"GET /feed.xml":      d.Archive.Feed,
		"GET /o.gif":         d.Tracker.Open,
		"GET /c":             d.Tracker.Click,
		"POST /editor/login": s.login,
	}
	editorOnly := map[string]http.HandlerFunc{
		"POST /editor/logout":              s.logout,
		"POST /editor/password-changed":    s.passwordChanged,
		"GET /api/settings":                s.settingsGet,
		"PATCH /api/settings":              s.settingsPatch,
		"GET /api/campaigns":               s.campaigns,
		"POST /api/campaigns/{id}/slug":    s.claimSlug,
		"POST /api/campaigns/{id}/embargo": s.embargo,
		"GET /api/campaigns/{id}/preview":  s.preview,
		"GET /api/campaigns/{id}/status":   s.status,
		"GET /api/admin/keys":              s.dumpKeys,
	}

	mux := http.NewServeMux()
	for pattern, h := range public {
		mux.Handle(pattern, h)
	}
	auth := editor.RequireEditor(d.Editors, d.Cookie)
	for pattern, h := range editorOnly {
		mux.Handle(pattern, auth(h))
	}
	mux.Handle("POST /subscribe", d.Limiter.Middleware(ratelimit.ClientIP)(http.HandlerFunc(s.subscribe)))

	return httpx.Chain(mux,
		httpx.Recover(d.Log),
		httpx.TenantFromHost("default"),
		s.heartbeat,
	)
}

func (s *server) heartbeat(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := s.Touch(r.Context(), keys.LastRequest, time.Now().UTC().Format(time.RFC3339)); err != nil { // EXPECT kvhotkey
			s.Log.DebugContext(r.Context(), "heartbeat", "err", err)
		}
		next.ServeHTTP(w, r)
	})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func (s *server) fail(w http.ResponseWriter, r *http.Request, code int, msg string, err error) {
	s.Log.ErrorContext(r.Context(), msg, "err", err, "ray", r.Header.Get("CF-Ray"))
	http.Error(w, msg, code)
}

type signup struct {
	Tenant string    `json:"tenant"`
	At     time.Time `json:"at"`
}

func (s *server) subscribe(w http.ResponseWriter, r *http.Request) {
	tenant := httpx.Tenant(r.Context())
	err := s.Subs.Subscribe(r.Context(), tenant, r.FormValue("email"))
	switch {
	case errors.Is(err, subscribers.ErrInvalidEmail):
		http.Error(w, "please enter a valid email address", http.StatusBadRequest)
		return
	case errors.Is(err, subscribers.ErrAlreadySubscribed):
		// Same answer as a new sign-up so the form does not reveal who is subscribed.
	case err != nil:
		s.fail(w, r, http.StatusInternalServerError, "sign-up failed", err)
		return
	}
	// Shown on the dashboard as "last sign-up".
	_ = kvx.PutJSON(s.NS, keys.Stats+"last-signup", signup{Tenant: string(tenant), At: time.Now().UTC()}, 0) // EXPECT kvhotkey
	fmt.Fprintln(w, "Thanks! Check your inbox to confirm your subscription.")
}

func (s *server) confirm(w http.ResponseWriter, r *http.Request) {
	code := r.URL.Query().Get("code")
	_, _, err := s.Subs.Confirm(r.Context(), code)
	if errors.Is(err, subscribers.ErrInvalidCode) {
		http.Error(w, "this confirmation link has expired", http.StatusGone)
		return
	}
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, "confirmation failed", err)
		return
	}
	http.Redirect(w, r, "/archive?welcome="+code, http.StatusSeeOther)
}
