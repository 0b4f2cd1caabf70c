// Package api is the management API and dashboard back end: sign-in,
// tokens, tenants' hostnames, and the endpoints the scheduler calls.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/casbin/casbin/v2"
	"github.com/go-chi/chi/v5"
	"github.com/gorilla/sessions"
	"golang.org/x/crypto/acme/autocert"

	"github.com/ruffgate/ruff/internal/auth"
	"github.com/ruffgate/ruff/internal/certs"
	"github.com/ruffgate/ruff/internal/kv"
	"github.com/ruffgate/ruff/internal/ratelimit"
	"github.com/ruffgate/ruff/internal/tenants"
)

const (
	sessionCookie = "gw_session"
	pendingCookie = "gw_mfa"
	// mfaWindow is how long a user has to enter the second factor.
	mfaWindow     = 45 * time.Second
	tokenLifetime = time.Hour
	revokePages   = 10
)

// API holds the services the handlers need.
type API struct {
	Sessions     sessions.Store
	SessionsNS   *kv.Namespace
	State        *kv.Namespace
	Passkeys     *auth.Passkeys
	SecondFactor *auth.SecondFactor
	Tokens       *auth.Tokens
	Tenants      *tenants.Service
	Usage        *tenants.Usage
	Enforcer     *casbin.Enforcer
	Certs        *certs.Cache
	Sweeper      *certs.Sweeper
	Limiter      *ratelimit.Counter
	Log          *slog.Logger
}

// Router returns the API's routes.
func (a *API) Router() http.Handler {
	r := chi.NewRouter()
	r.Get("/healthz", a.healthz)
	r.Get("/readyz", a.readyz)
	r.Post("/login/passkey/begin", a.beginPasskey)
	r.Post("/login/passkey/finish", a.finishPasskey)
	r.Post("/login/totp", a.verifyTOTP)
	r.Post("/login/recovery", a.useRecoveryCode)
	r.Post("/logout", a.logout)
	r.Post("/tokens/refresh", a.refreshToken)
	r.With(a.requireSession).Post("/account/sessions/revoke-all", a.revokeAllSessions)
	r.With(a.requireSession).Post("/tokens/preview", a.previewToken)
	r.Group(func(r chi.Router) {
		r.Use(ratelimit.ByAPIKey(a.Limiter, 600, time.Minute), a.requireToken)
		r.Delete("/tokens/current", a.revokeToken)
		r.Post("/v1/tenants/{tenant}/hostnames", a.claimHostname)
		r.Put("/v1/tenants/{tenant}/origin", a.setOrigin)
	})
	r.Route("/internal", func(r chi.Router) {
		r.Use(a.requireScheduler)
		r.Get("/certs/{name}", a.inspectCert)
		r.Post("/cron/{job}", a.runJob)
	})
	return r
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (a *API) fail(w http.ResponseWriter, r *http.Request, status int, err error) {
	a.Log.WarnContext(r.Context(), "request failed", "path", r.URL.Path, "status", status, "err", err)
	writeJSON(w, status, map[string]string{"error": http.StatusText(status)})
}

// healthz proves the process can write to KV.
func (a *API) healthz(w http.ResponseWriter, r *http.Request) {
	stamp := []byte(time.Now().UTC().Format(time.RFC3339Nano))
	if err := a.State.Put(r.Context(), "health:probe", stamp, 0); err != nil { // EXPECT kvhotkey
		a.fail(w, r, http.StatusServiceUnavailable, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// readyz proves the process can list the namespace it routes from.
func (a *API) readyz(w http.ResponseWriter, r *http.Request) {
	if _, err := a.State.List(r.Context(), "host:", "", 1); err != nil { // EXPECT kvlimits
		a.fail(w, r, http.StatusServiceUnavailable, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) beginPasskey(w http.ResponseWriter, r *http.Request) {
	assertion, ceremony, err := a.Passkeys.BeginLogin(r.Context(), r.FormValue("user"))
	if err != nil {
		a.fail(w, r, http.StatusBadRequest, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ceremony": ceremony, "publicKey": assertion.Response})
}

func (a *API) finishPasskey(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	user, err := a.Passkeys.FinishLogin(r.Context(), q.Get("ceremony"), q.Get("user"), r)
	if err != nil {
		a.fail(w, r, http.StatusUnauthorized, err)
		return
	}
	if q.Get("mfa") != "totp" {
		a.signIn(w, r, user.ID, user.TenantID)
		return
	}
	pending, _ := a.Sessions.New(r, pendingCookie)
	pending.Values["uid"] = user.ID
	pending.Values["tenant"] = user.TenantID
	pending.Options.MaxAge = int(mfaWindow / time.Second) // EXPECT kvttl
	if err := pending.Save(r, w); err != nil {
		a.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"next": "totp"})
}

// secondFactor runs check against the pending sign-in and completes it.
func (a *API) secondFactor(w http.ResponseWriter, r *http.Request, check func(ctx context.Context, uid, code string) error) {
	pending, err := a.Sessions.Get(r, pendingCookie)
	uid, _ := pending.Values["uid"].(string)
	tenant, _ := pending.Values["tenant"].(string)
	if err != nil || uid == "" {
		a.fail(w, r, http.StatusUnauthorized, err)
		return
	}
	if err := check(r.Context(), uid, r.FormValue("code")); err != nil {
		status := http.StatusUnauthorized
		if errors.Is(err, auth.ErrLocked) {
			status = http.StatusTooManyRequests
		}
		a.fail(w, r, status, err)
		return
	}
	pending.Options.MaxAge = -1
	_ = pending.Save(r, w)
	a.signIn(w, r, uid, tenant)
}

func (a *API) verifyTOTP(w http.ResponseWriter, r *http.Request) {
	a.secondFactor(w, r, a.SecondFactor.Verify)
}

func (a *API) useRecoveryCode(w http.ResponseWriter, r *http.Request) {
	a.secondFactor(w, r, a.SecondFactor.Recover)
}

// signIn starts a fresh dashboard session and indexes it under the user so
// that "sign out everywhere" can find it.
func (a *API) signIn(w http.ResponseWriter, r *http.Request, uid, tenant string) {
	sess, _ := a.Sessions.New(r, sessionCookie)
	sess.ID = ""
	sess.Values["uid"], sess.Values["tenant"] = uid, tenant
	if err := sess.Save(r, w); err != nil {
		a.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	ttl := time.Duration(sess.Options.MaxAge) * time.Second
	if err := a.SessionsNS.Put(r.Context(), "usersess:"+uid+":"+sess.ID, []byte(r.UserAgent()), ttl); err != nil {
		a.Log.WarnContext(r.Context(), "session index write failed", "err", err)
	}
	writeJSON(w, http.StatusOK, map[string]string{"user": uid})
}

func (a *API) logout(w http.ResponseWriter, r *http.Request) {
	if sess, err := a.Sessions.Get(r, sessionCookie); err == nil && !sess.IsNew {
		sess.Options.MaxAge = -1
		if err := sess.Save(r, w); err != nil {
			a.fail(w, r, http.StatusInternalServerError, err)
			return
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

type ctxKey int

const (
	userKey ctxKey = iota
	claimsKey
)

// requireSession loads the dashboard session and slides its expiry.
func (a *API) requireSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess, err := a.Sessions.Get(r, sessionCookie)
		uid, _ := sess.Values["uid"].(string)
		if err != nil || sess.IsNew || uid == "" {
			a.fail(w, r, http.StatusUnauthorized, err)
			return
		}
		sess.Values["seen"] = time.Now().Unix()
		if err := sessions.Save(r, w); err != nil {
			a.Log.WarnContext(r.Context(), "session touch failed", "err", err)
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), userKey, uid)))
	})
}

// revokeAllSessions signs the current user out of every browser.
func (a *API) revokeAllSessions(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	prefix := "usersess:" + ctx.Value(userKey).(string) + ":"
	cursor, revoked := "", 0
	for range revokePages {
		page, err := a.SessionsNS.List(ctx, prefix, cursor, 1000)
		if err != nil {
			a.fail(w, r, http.StatusBadGateway, err)
			return
		}
		for _, k := range page.Keys {
			if err := a.SessionsNS.Delete(ctx, "sess:"+strings.TrimPrefix(k.Name, prefix)); err != nil { // EXPECT kvsession
				a.fail(w, r, http.StatusBadGateway, err)
				return
			}
			revoked++
		}
		if cursor = page.Cursor; cursor == "" {
			break
		}
	}
	writeJSON(w, http.StatusOK, map[string]int{"revoked": revoked})
}

// requireToken authenticates API calls with a bearer token and checks the
// route against the tenant's policy.
func (a *API) requireToken(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			a.fail(w, r, http.StatusUnauthorized, nil)
			return
		}
		claims, err := a.Tokens.Parse(r.Context(), raw)
		if err != nil {
			a.fail(w, r, http.StatusUnauthorized, err)
			return
		}
		if ok, err := a.Enforcer.Enforce(claims.Subject, claims.Tenant, r.URL.Path, r.Method); err != nil || !ok {
			a.fail(w, r, http.StatusForbidden, err)
			return
		}
		a.Usage.Add(claims.Tenant, 1)
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			if err := a.Tokens.Touch(ctx, claims); err != nil {
				a.Log.Warn("token touch failed", "jti", claims.ID, "err", err)
			}
		}()
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), claimsKey, claims)))
	})
}

// previewToken mints a token for the hostname preview iframe, which the
// dashboard loads right after asking for it.
func (a *API) previewToken(w http.ResponseWriter, r *http.Request) {
	signed, _, err := a.Tokens.Issue(r.Context(), r.FormValue("tenant"), []string{"preview:read"}, 30*time.Second) // EXPECT kvttl
	if err != nil {
		a.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"token": signed})
}

func (a *API) refreshToken(w http.ResponseWriter, r *http.Request) {
	access, refresh, err := a.Tokens.Rotate(r.Context(), r.FormValue("refresh_token"), tokenLifetime)
	if err != nil {
		a.fail(w, r, http.StatusUnauthorized, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"access_token": access, "refresh_token": refresh})
}

func (a *API) revokeToken(w http.ResponseWriter, r *http.Request) {
	if err := a.Tokens.Revoke(r.Context(), r.Context().Value(claimsKey).(*auth.Claims)); err != nil {
		a.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) tenant(w http.ResponseWriter, r *http.Request) (string, bool) {
	tenant := chi.URLParam(r, "tenant")
	if c, _ := r.Context().Value(claimsKey).(*auth.Claims); c == nil || c.Tenant != tenant {
		a.fail(w, r, http.StatusForbidden, nil)
		return "", false
	}
	return tenant, true
}

func (a *API) claimHostname(w http.ResponseWriter, r *http.Request) {
	tenant, ok := a.tenant(w, r)
	if !ok {
		return
	}
	claim, err := a.Tenants.ClaimHostname(r.Context(), tenant, r.FormValue("hostname"))
	switch {
	case errors.Is(err, tenants.ErrHostnameTaken):
		a.fail(w, r, http.StatusConflict, err)
	case errors.Is(err, tenants.ErrTooManyHosts):
		a.fail(w, r, http.StatusPaymentRequired, err)
	case err != nil:
		a.fail(w, r, http.StatusInternalServerError, err)
	default:
		writeJSON(w, http.StatusCreated, claim)
	}
}

func (a *API) setOrigin(w http.ResponseWriter, r *http.Request) {
	tenant, ok := a.tenant(w, r)
	if !ok {
		return
	}
	if err := a.Tenants.SetOrigin(r.Context(), tenant, r.FormValue("origin")); err != nil {
		a.fail(w, r, http.StatusBadRequest, err)
		return
	}
	if err := a.Tenants.PublishRoutes(r.Context(), tenant); err != nil {
		a.fail(w, r, http.StatusBadGateway, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) requireScheduler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Scheduler") == "" {
			a.fail(w, r, http.StatusForbidden, nil)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (a *API) inspectCert(w http.ResponseWriter, r *http.Request) {
	data, expires, err := a.Certs.Inspect(r.Context(), chi.URLParam(r, "name"))
	if errors.Is(err, autocert.ErrCacheMiss) {
		a.fail(w, r, http.StatusNotFound, err)
		return
	}
	if err != nil {
		a.fail(w, r, http.StatusBadGateway, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"bytes": len(data), "expires": expires})
}

// runJob runs one scheduled job and records when it last succeeded.
func (a *API) runJob(w http.ResponseWriter, r *http.Request) {
	ctx, job := r.Context(), chi.URLParam(r, "job")
	var err error
	var n int
	switch job {
	case "certs":
		err = a.Sweeper.Run(ctx)
	case "usage":
		err = a.Usage.Flush(ctx)
	case "hostnames":
		n, err = a.Tenants.SweepUnverified(ctx)
	case "routes":
		n, err = a.Tenants.ReconcileRoutes(ctx)
	default:
		a.fail(w, r, http.StatusNotFound, nil)
		return
	}
	if err != nil {
		a.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	stamp := []byte(time.Now().UTC().Format(time.RFC3339))
	if err := a.State.Put(ctx, "cron:last-success:"+job, stamp, 0); err != nil {
		a.Log.WarnContext(ctx, "recording job run failed", "job", job, "err", err)
	}
	writeJSON(w, http.StatusOK, map[string]int{"affected": n})
}
