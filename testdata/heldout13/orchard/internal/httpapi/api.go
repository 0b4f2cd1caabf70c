// Package httpapi is the public JSON API of the marketplace.
package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	"example.com/orchard/internal/cart"
	"example.com/orchard/internal/catalog"
	"example.com/orchard/internal/metrics"
	"example.com/orchard/internal/orders"
	"example.com/orchard/internal/ratelimit"
	"example.com/orchard/internal/sessions"
	"example.com/orchard/internal/store"
)

// Deps are the services behind the API.
type Deps struct {
	Catalog  *catalog.Service
	Views    *catalog.Views
	Orders   *orders.Service
	Sessions *sessions.Manager
	Carts    *cart.Service
	Limit    ratelimit.Allow
	Metrics  *metrics.Aggregator
	Main     store.Store
	Edge     store.Store
	// After runs work after the response is sent (cloudflare.WaitUntil in
	// the worker, a plain call in tests).
	After func(func())
	Log   *slog.Logger
}

type api struct {
	Deps
	codeLimit     ratelimit.Allow
	checkoutLimit ratelimit.Allow
}

// New returns the API handler.
func New(d Deps) http.Handler {
	a := &api{
		Deps:          d,
		codeLimit:     ratelimit.Scoped(d.Limit, "code"),
		checkoutLimit: ratelimit.Scoped(d.Limit, "checkout"),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /listings", a.browse)
	mux.HandleFunc("GET /listings/{id}", a.listing)
	mux.HandleFunc("POST /listings", a.createListing)
	mux.HandleFunc("PATCH /farms/{id}/settings", a.farmSettings)
	mux.HandleFunc("POST /auth/code", a.requestCode)
	mux.HandleFunc("POST /auth/session", a.signIn)
	mux.HandleFunc("POST /auth/logout", a.authed(a.logout))
	mux.HandleFunc("POST /cart/items", a.authed(a.addToCart))
	mux.HandleFunc("POST /checkout", a.authed(a.checkout))
	mux.HandleFunc("PUT /me/prefs", a.authed(a.putPrefs))
	mux.HandleFunc("POST /orders/{id}/status", a.setStatus)
	mux.HandleFunc("GET /admin/stats", a.stats)
	return a.instrument(mux)
}

// instrument counts requests per route and flushes view counts once enough
// have piled up.
func (a *api) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r)
		a.Metrics.Hit(r.Pattern)
		if a.Views.Pending() >= 100 {
			a.After(func() {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				if err := a.Views.Flush(ctx); err != nil {
					a.Log.Warn("view flush failed", "err", err)
				}
			})
		}
	})
}

type authedHandler func(w http.ResponseWriter, r *http.Request, s sessions.Session)

// authed resolves the session cookie and slides its expiry.
func (a *api) authed(h authedHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie("sid")
		if err != nil {
			writeErr(w, http.StatusUnauthorized, "sign in required")
			return
		}
		s, err := a.Sessions.Lookup(r.Context(), c.Value)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		if err := a.Sessions.Touch(r.Context(), &s); err != nil {
			a.Log.WarnContext(r.Context(), "session touch failed", "err", err)
		}
		h(w, r, s)
	}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func writeErr(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, struct {
		Error string `json:"error"`
	}{msg})
}

// decode reads a JSON body into v and answers 400 itself on failure.
func (a *api) decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(v); err != nil {
		writeErr(w, http.StatusBadRequest, "malformed JSON")
		return false
	}
	return true
}

// reply writes v, or the error response when err is set.
func (a *api) reply(w http.ResponseWriter, r *http.Request, code int, v any, err error) {
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, code, v)
}

// fail maps domain errors to responses.
func (a *api) fail(w http.ResponseWriter, r *http.Request, err error) {
	var (
		verr *catalog.ValidationError
		terr *orders.TransitionError
	)
	switch {
	case errors.As(err, &verr):
		writeJSON(w, http.StatusUnprocessableEntity, struct {
			Problems []string `json:"problems"`
		}{verr.Problems})
	case errors.As(err, &terr):
		writeErr(w, http.StatusConflict, terr.Error())
	case errors.Is(err, sessions.ErrNoSession), errors.Is(err, sessions.ErrBadCode),
		errors.Is(err, sessions.ErrTokenUsed):
		writeErr(w, http.StatusUnauthorized, "sign in required")
	case errors.Is(err, catalog.ErrNoListing), errors.Is(err, orders.ErrNoOrder):
		writeErr(w, http.StatusNotFound, "not found")
	case errors.Is(err, cart.ErrQty):
		writeErr(w, http.StatusBadRequest, err.Error())
	default:
		a.Log.ErrorContext(r.Context(), "request failed", "path", r.URL.Path, "err", err)
		writeErr(w, http.StatusInternalServerError, "internal error")
	}
}
