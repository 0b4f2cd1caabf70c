// Package httpapi is the control plane's admin API.
package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"example.com/gateway/internal/apikeys"
	"example.com/gateway/internal/cfkv"
	"example.com/gateway/internal/maintenance"
	"example.com/gateway/internal/routes"
	"example.com/gateway/internal/tenants"
)

// Deps are the operations the handlers need. main fills them with method
// values so handlers can be tested with plain functions.
type Deps struct {
	ClaimTenant   func(ctx context.Context, slug, name string) (tenants.Tenant, error)
	SetFlag       func(ctx context.Context, name string, f maintenance.Flag) error
	AddRoute      func(ctx context.Context, r routes.Route) error
	SetOverride   func(ctx context.Context, tenant, route string, rpm int) error
	Logout        func(ctx context.Context, id string) error
	TenantIDs     func(ctx context.Context, cursor string, limit int) ([]string, string, error)
	Audit         func(ctx context.Context, action, target string)
	MintKey       func(ctx context.Context, tenant string, scopes []string, lifetime time.Duration) (string, apikeys.Record, error)
	RevokeKey     func(ctx context.Context, hash string) error
	Meter         func(ctx context.Context, keyID string, limit int) (bool, error)
	Namespace     cfkv.Namespace
	Log           *slog.Logger
	LogoutCookie  string
	ListPageLimit int
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// Handlers returns the handler table, keyed by "METHOD /path".
func Handlers(d Deps) map[string]http.HandlerFunc {
	return map[string]http.HandlerFunc{
		"POST /tenants": func(w http.ResponseWriter, r *http.Request) {
			var in struct{ Slug, Name string }
			if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			t, err := d.ClaimTenant(r.Context(), in.Slug, in.Name)
			switch {
			case errors.Is(err, tenants.ErrSlugTaken):
				http.Error(w, err.Error(), http.StatusConflict)
			case errors.Is(err, tenants.ErrInvalidSlug):
				http.Error(w, err.Error(), http.StatusBadRequest)
			case err != nil:
				http.Error(w, "internal error", http.StatusInternalServerError)
			default:
				d.Audit(r.Context(), "tenant.create", t.Slug)
				writeJSON(w, http.StatusCreated, t)
			}
		},
		"GET /tenants": func(w http.ResponseWriter, r *http.Request) {
			ids, next, err := d.TenantIDs(r.Context(), r.URL.Query().Get("cursor"), d.ListPageLimit)
			if err != nil {
				http.Error(w, "internal error", http.StatusInternalServerError)
				return
			}
			writeJSON(w, http.StatusOK, map[string]any{"tenants": ids, "cursor": next})
		},
		"PUT /maintenance/{name}": func(w http.ResponseWriter, r *http.Request) {
			var f maintenance.Flag
			if err := json.NewDecoder(r.Body).Decode(&f); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			if err := d.SetFlag(r.Context(), r.PathValue("name"), f); err != nil {
				http.Error(w, "internal error", http.StatusInternalServerError)
				return
			}
			d.Audit(r.Context(), "maintenance.set", r.PathValue("name"))
			w.WriteHeader(http.StatusNoContent)
		},
		"POST /routes": func(w http.ResponseWriter, r *http.Request) {
			var rt routes.Route
			if err := json.NewDecoder(r.Body).Decode(&rt); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			if err := d.AddRoute(r.Context(), rt); err != nil {
				code := http.StatusInternalServerError
				if errors.Is(err, routes.ErrInvalid) {
					code = http.StatusBadRequest
				}
				http.Error(w, err.Error(), code)
				return
			}
			d.Audit(r.Context(), "route.add", rt.ID)
			w.WriteHeader(http.StatusCreated)
		},
		"PUT /tenants/{tenant}/limits/{route}": func(w http.ResponseWriter, r *http.Request) {
			rpm, err := strconv.Atoi(r.URL.Query().Get("rpm"))
			if err != nil || rpm <= 0 {
				http.Error(w, "rpm must be a positive integer", http.StatusBadRequest)
				return
			}
			if err := d.SetOverride(r.Context(), r.PathValue("tenant"), r.PathValue("route"), rpm); err != nil {
				http.Error(w, "internal error", http.StatusInternalServerError)
				return
			}
			d.Audit(r.Context(), "ratelimit.override", r.PathValue("tenant"))
			w.WriteHeader(http.StatusNoContent)
		},
		"POST /logout": func(w http.ResponseWriter, r *http.Request) {
			c, err := r.Cookie(d.LogoutCookie)
			if err != nil {
				w.WriteHeader(http.StatusNoContent)
				return
			}
			if err := d.Logout(r.Context(), c.Value); err != nil {
				http.Error(w, "internal error", http.StatusInternalServerError)
				return
			}
			http.SetCookie(w, &http.Cookie{Name: d.LogoutCookie, MaxAge: -1, Path: "/"})
			w.WriteHeader(http.StatusNoContent)
		},
		"POST /tenants/{tenant}/keys": func(w http.ResponseWriter, r *http.Request) {
			var in struct {
				Scopes []string `json:"scopes"`
				Days   int      `json:"days"`
			}
			if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Days <= 0 {
				http.Error(w, "scopes and days are required", http.StatusBadRequest)
				return
			}
			plain, rec, err := d.MintKey(r.Context(), r.PathValue("tenant"), in.Scopes, time.Duration(in.Days)*24*time.Hour)
			if err != nil {
				http.Error(w, "internal error", http.StatusInternalServerError)
				return
			}
			d.Audit(r.Context(), "apikey.mint", rec.ID)
			writeJSON(w, http.StatusCreated, map[string]any{"key": plain, "id": rec.ID, "expires_at": rec.ExpiresAt})
		},
		"DELETE /keys/{hash}": func(w http.ResponseWriter, r *http.Request) {
			if err := d.RevokeKey(r.Context(), r.PathValue("hash")); err != nil {
				http.Error(w, "internal error", http.StatusInternalServerError)
				return
			}
			d.Audit(r.Context(), "apikey.revoke", r.PathValue("hash"))
			w.WriteHeader(http.StatusNoContent)
		},
		"POST /partner/calls": func(w http.ResponseWriter, r *http.Request) {
			ok, err := d.Meter(r.Context(), r.Header.Get("X-Partner-Key"), 100000)
			switch {
			case err != nil:
				http.Error(w, "internal error", http.StatusInternalServerError)
			case !ok:
				http.Error(w, "monthly quota exhausted", http.StatusTooManyRequests)
			default:
				w.WriteHeader(http.StatusAccepted)
			}
		},
		"GET /healthz": healthz(d.Namespace),
	}
}

// healthz checks that the API token can still write to the namespace.
func healthz(ns cfkv.Namespace) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_, err := ns.Client.KV.Namespaces.Values.Update(r.Context(), ns.ID, "healthz", kv.NamespaceValueUpdateParams{AccountID: cloudflare.F(ns.AccountID), Value: cloudflare.F("ok")}) // EXPECT kvhotkey
		if err != nil {
			http.Error(w, "kv write failed", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ok"))
	}
}

// Mux registers every handler of the table on a new ServeMux.
func Mux(table map[string]http.HandlerFunc) *http.ServeMux {
	mux := http.NewServeMux()
	for pattern, h := range table {
		mux.HandleFunc(pattern, h)
	}
	return mux
}
