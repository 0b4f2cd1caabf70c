// Package httpapi is the creator dashboard and listener-facing HTTP API.
package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"time"

	"example.com/ibex/internal/analytics"
	"example.com/ibex/internal/edgekv"
	"example.com/ibex/internal/feeds"
	"example.com/ibex/internal/invites"
	"example.com/ibex/internal/kvstore"
	"example.com/ibex/internal/ratelimit"
	"example.com/ibex/internal/sessions"
	"example.com/ibex/internal/shows"
	"example.com/ibex/internal/sponsors"
)

var timeNow = time.Now

const sessionCookie = "ibex_session"

// App holds the services the handlers use.
type App struct {
	Sessions   *sessions.SessionService
	Accounts   sessions.Accounts
	Catalog    *shows.Catalog
	Feeds      *feeds.TokenStore
	Sponsors   *sponsors.Booker
	Invites    *invites.Service
	Recorder   *analytics.Recorder
	Aggregator *analytics.Aggregator
	Limiter    *ratelimit.Limiter
	Catalogue  *kvstore.Store
	Edge       *edgekv.Client
	Log        *log.Logger
}

// Routes returns the HTTP handler.
func (a *App) Routes() http.Handler {
	mux := http.NewServeMux()
	authed := a.requireSession

	mux.HandleFunc("POST /login", a.handleLogin())
	mux.Handle("POST /logout", authed(a.handleLogout()))
	mux.Handle("GET /oauth/start", authed(a.handleOAuthStart()))
	mux.Handle("GET /oauth/callback", authed(a.handleOAuthCallback()))

	mux.Handle("POST /shows/{show}/episodes", authed(a.handlePublish()))
	mux.Handle("POST /sponsors/bookings", authed(a.handleBook()))

	mux.Handle("GET /feed/{token}", a.Limiter.Middleware(a.handleFeed()))
	mux.HandleFunc("POST /invites/redeem", a.handleRedeem())
	mux.HandleFunc("GET /listen/{show}/{episode}", a.handleDownload())
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	return a.withTenant(mux)
}

type sessionKey struct{}

func sessionFrom(ctx context.Context) sessions.Session {
	s, _ := ctx.Value(sessionKey{}).(sessions.Session)
	return s
}

// withTenant tags the request with the network it is served for, which
// selects the KV namespaces of that network.
func (a *App) withTenant(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if t := r.Header.Get("X-Ibex-Network"); t != "" {
			r = r.WithContext(kvstore.WithTenant(r.Context(), t))
		}
		next.ServeHTTP(w, r)
	})
}

// requireSession loads the creator's session and records activity.
func (a *App) requireSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(sessionCookie)
		if err != nil {
			http.Error(w, "sign in", http.StatusUnauthorized)
			return
		}
		sess, err := a.Sessions.Lookup(r.Context(), c.Value)
		if errors.Is(err, sessions.ErrNoSession) {
			http.Error(w, "sign in", http.StatusUnauthorized)
			return
		}
		if err != nil {
			a.fail(w, err)
			return
		}
		if err := a.Sessions.Seen(r.Context(), sess); err != nil {
			a.Log.Printf("session seen: %v", err)
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), sessionKey{}, sess)))
	})
}

func (a *App) fail(w http.ResponseWriter, err error) {
	a.Log.Printf("internal error: %v", err)
	http.Error(w, "internal error", http.StatusInternalServerError)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}
