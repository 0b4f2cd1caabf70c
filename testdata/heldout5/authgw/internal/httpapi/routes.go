package httpapi

import (
	"net/http"
	"sort"

	"example.com/authgw/internal/middleware"
)

// Mounts are the pieces built by main that the router plugs in.
type Mounts struct {
	Base       []middleware.Middleware // applied to everything, outermost first
	Throttle   middleware.Middleware   // unauthenticated auth endpoints
	Session    middleware.Middleware   // browser session required
	Idempotent middleware.Middleware   // Idempotency-Key support
	APIKey     middleware.Middleware   // machine clients
	Proxy      http.Handler
	Metrics    http.Handler
}

// Routes builds the gateway's handler.
func (a *API) Routes(m Mounts) http.Handler {
	mux := http.NewServeMux()
	with := func(h http.HandlerFunc, mws ...middleware.Middleware) http.Handler {
		return middleware.Chain(h, mws...)
	}
	admin := func(h http.HandlerFunc, mws ...middleware.Middleware) http.Handler {
		return middleware.Chain(h, append([]middleware.Middleware{a.requireAdmin}, mws...)...)
	}

	mux.Handle("POST /auth/signup", with(a.signup, m.Throttle, m.Idempotent))
	mux.Handle("POST /auth/login", with(a.login, m.Throttle))
	mux.Handle("POST /auth/magic", with(a.requestMagicLink, m.Throttle))
	mux.Handle("GET /auth/magic/callback", with(a.magicCallback, m.Throttle))
	mux.Handle("POST /auth/refresh", with(a.refresh, m.Throttle))
	mux.Handle("POST /auth/logout", with(a.logout, m.Session))
	mux.Handle("POST /auth/logout/all", with(a.logoutEverywhere, m.Session))
	mux.Handle("POST /auth/step-up", with(a.stepUp, m.Session))
	mux.Handle("POST /auth/password", with(a.changePassword, m.Session))
	mux.Handle("GET /auth/me", with(a.whoami, m.Session))
	mux.Handle("GET /auth/flags", with(a.flags, m.Session))

	mux.Handle("GET /oauth/login/{provider}", with(a.upstreamLogin, m.Throttle))
	mux.Handle("GET /oauth/callback", http.HandlerFunc(a.upstreamCallback))
	mux.Handle("GET /oauth/authorize", with(a.authorize, m.Session))
	mux.Handle("POST /oauth/token", with(a.token, m.Throttle))

	mux.Handle("POST /admin/tenants/{tenant}/keys", admin(a.createKey, m.Idempotent))
	mux.Handle("GET /admin/tenants/{tenant}/keys", admin(a.listKeys))
	mux.Handle("DELETE /admin/tenants/{tenant}/keys/{id}", admin(a.revokeKey))
	mux.Handle("GET /admin/keys/export", admin(a.exportKeys))
	mux.Handle("PUT /admin/tenants/{tenant}/flags/{flag}", admin(a.setFlag))
	mux.Handle("PUT /admin/tenants/{tenant}/routes", admin(a.putRoute))
	mux.Handle("GET /admin/tenants/{tenant}/routes", admin(a.listRoutes))
	mux.Handle("PUT /admin/tenants/{tenant}/origins/{alias}", admin(a.setOrigin))
	mux.Handle("POST /admin/tenants/{tenant}/clients", admin(a.registerClient, m.Idempotent))
	mux.Handle("POST /admin/clients/{id}/redirects", admin(a.addRedirect))
	mux.Handle("GET /admin/audit", admin(a.auditIndex))
	mux.Handle("GET /admin/audit/tail", admin(a.auditTail))
	mux.Handle("GET /admin/audit/events/{id}", admin(a.auditEvent))
	mux.Handle("GET /admin/metrics", admin(m.Metrics.ServeHTTP))

	mux.Handle("/api/", middleware.Chain(m.Proxy, m.APIKey))

	return middleware.Chain(mux, m.Base...)
}

// flags returns the effective flags for the signed-in user's tenant and
// counts the exposure.
func (a *API) flags(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	tenant := r.URL.Query().Get("tenant")
	if tenant == "" {
		a.fail(w, r, http.StatusBadRequest, "tenant required", nil)
		return
	}
	set, err := a.d.EvaluateFlags(ctx, tenant)
	if err != nil {
		a.fail(w, r, http.StatusBadGateway, "flags unavailable", err)
		return
	}
	names := make([]string, 0, len(set))
	for n, on := range set {
		if on {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	if err := a.d.RecordExposures(ctx, tenant, names); err != nil {
		a.d.Log.Warn("exposure counters", "err", err)
	}
	writeJSON(w, http.StatusOK, set)
}
