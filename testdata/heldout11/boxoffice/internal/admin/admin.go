//go:build js && wasm

// Package admin serves the back-office endpoints used by staff: order
// exports, API key revocation and site settings.
package admin

import (
	"crypto/subtle"
	"log/slog"
	"net/http"
	"strings"

	"example.com/boxoffice/internal/auth"
	"example.com/boxoffice/internal/events"
	"example.com/boxoffice/internal/httpx"
)

// Admin serves /admin/*.
type Admin struct {
	binding string
	keys    string
	token   string
	auth    *auth.Service
	catalog *events.Catalog
	log     *slog.Logger
}

// New returns Admin. binding holds the box office data, keysBinding the
// organiser credentials; token is the staff bearer token.
func New(binding, keysBinding, token string, a *auth.Service, c *events.Catalog, log *slog.Logger) *Admin {
	return &Admin{binding: binding, keys: keysBinding, token: token, auth: a, catalog: c, log: log}
}

// RequireStaff checks the staff bearer token.
func (a *Admin) RequireStaff(next httpx.Handler) httpx.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		got, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if a.token == "" || subtle.ConstantTimeCompare([]byte(got), []byte(a.token)) != 1 {
			return httpx.Errorf(http.StatusUnauthorized, "staff token required")
		}
		return next(w, r)
	}
}

// Routes returns the admin handlers keyed by "METHOD /path". Paths ending
// in a slash are prefix routes.
func (a *Admin) Routes() map[string]httpx.Handler {
	return map[string]httpx.Handler{
		"POST /admin/export":        a.Export,
		"GET /admin/exports/":       a.Download,
		"DELETE /admin/apikeys/":    a.RevokeKey,
		"POST /admin/tokens/revoke": a.RevokeToken,
		"GET /admin/settings":       a.GetSettings,
		"PUT /admin/banner":         a.SetBanner,
		"PUT /admin/capacity/":      a.SetCapacity,
		"GET /admin/events":         a.ListEvents,
	}
}
