// Package httpapi is estuary's HTTP surface. Routing is a plain switch over
// the path: the API is small and the switch is easy to read in one place.
package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"example.com/estuary/internal/auth"
	"example.com/estuary/internal/cache"
	"example.com/estuary/internal/catalog"
	"example.com/estuary/internal/config"
	"example.com/estuary/internal/endpoint"
	"example.com/estuary/internal/ids"
	"example.com/estuary/internal/kvstore"
	"example.com/estuary/internal/legacy/audit"
	"example.com/estuary/internal/metrics"
	"example.com/estuary/internal/orders"
	"example.com/estuary/internal/outbox"
	"example.com/estuary/internal/quota"
	"example.com/estuary/internal/ratelimit"
	"example.com/estuary/internal/session"
)

// Deps is everything the handlers use.
type Deps struct {
	Config      *config.Config
	Store       kvstore.Store // config namespace
	Sessions    *session.Manager
	Auth        *auth.Service
	Orders      *orders.Service
	Catalog     *catalog.Catalog
	Quota       *quota.Quota
	Limiter     *ratelimit.Limiter
	Outbox      *outbox.Outbox
	Views       *metrics.Views
	Leaderboard *metrics.Leaderboard
	Reports     *metrics.Reports
	Cache       *cache.Tiered
	Profiles    func(ctx context.Context, acct ids.AccountID) ([]byte, error)
	Billing     func(ctx context.Context, acct ids.AccountID) (quota.Limits, error)
	Audit       *audit.Log
}

// Router is the root handler.
type Router struct {
	d      Deps
	orders map[string]http.Handler
}

// New builds the router.
func New(d Deps) *Router {
	credit := func(next endpoint.Endpoint) endpoint.Endpoint {
		return func(ctx context.Context, req any) (any, error) {
			resp, err := next(ctx, req)
			if o, ok := resp.(orders.Response); ok && err == nil && o.Status == orders.Paid.String() {
				if cerr := d.Leaderboard.Credit(ctx, ids.AccountID(o.Account), 1); cerr != nil {
					slog.Warn("leaderboard credit failed", "account", o.Account, "err", cerr)
				}
			}
			return resp, err
		}
	}
	return &Router{d: d, orders: map[string]http.Handler{
		"create": endpoint.NewServer(orders.MakeCreateEndpoint(d.Orders), orders.DecodeCreate, endpoint.EncodeJSON),
		"page":   endpoint.NewServer(orders.MakePageEndpoint(d.Orders), orders.DecodePage, endpoint.EncodeJSON),
		"get":    endpoint.NewServer(orders.MakeGetEndpoint(d.Orders), orders.DecodeOrder, endpoint.EncodeJSON),
		"status": endpoint.NewServer(orders.MakeTransitionEndpoint(d.Orders), orders.DecodeTransition, endpoint.EncodeJSON, credit),
	}}
}

func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 15*time.Second)
	defer cancel()
	r = r.WithContext(ctx)
	authed := rt.d.Sessions.Middleware

	switch p := r.URL.Path; {
	case p == "/healthz":
		w.WriteHeader(http.StatusNoContent)
	case p == "/v1/login" && r.Method == http.MethodPost:
		rt.login(w, r)
	case p == "/v1/logout" && r.Method == http.MethodPost:
		authed(http.HandlerFunc(rt.logout)).ServeHTTP(w, r)
	case p == "/v1/oauth/callback":
		returnTo, err := rt.d.Auth.CompleteOAuth(ctx, ids.Token(r.URL.Query().Get("state")))
		if err != nil {
			writeErr(w, err)
			return
		}
		http.Redirect(w, r, returnTo, http.StatusFound)
	case p == "/v1/flags":
		rt.flags(w, r)
	case p == "/v1/reports/top-accounts":
		b, err := rt.d.Reports.TopAccounts(ctx)
		writeResult(w, http.StatusOK, json.RawMessage(b), err)
	case strings.HasPrefix(p, "/v1/ingest/"):
		slug, _ := strings.CutPrefix(p, "/v1/ingest/")
		rt.ingest(w, r, ids.Slug(slug))
	case strings.HasPrefix(p, "/v1/hooks/"):
		provider, _ := strings.CutPrefix(p, "/v1/hooks/")
		rt.webhook(w, r, provider)
	case strings.HasPrefix(p, "/v1/accounts/"):
		rest, _ := strings.CutPrefix(p, "/v1/accounts/")
		authed(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rt.account(w, r, rest)
		})).ServeHTTP(w, r)
	default:
		http.NotFound(w, r)
	}
}

// account routes /v1/accounts/{account}/... for the signed-in account.
func (rt *Router) account(w http.ResponseWriter, r *http.Request, rest string) {
	acct, rest, _ := strings.Cut(rest, "/")
	if rec, ok := session.FromContext(r.Context()); !ok || rec.Account.String() != acct {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	r.SetPathValue("account", acct)
	switch {
	case rest == "profile":
		rt.profile(w, r, ids.AccountID(acct))
	case rest == "slug" && r.Method == http.MethodPost:
		var req struct{ Slug ids.Slug }
		if err := decode(r, &req); err != nil {
			writeErr(w, err)
			return
		}
		err := rt.d.Catalog.Claim(r.Context(), req.Slug, ids.AccountID(acct))
		if err == nil {
			err = rt.d.Audit.Append(r.Context(), ids.AccountID(acct), acct, "claimed slug "+req.Slug.String())
		}
		writeResult(w, http.StatusCreated, req, err)
	case rest == "audit":
		lines, err := rt.d.Audit.Day(r.Context(), ids.AccountID(acct), r.URL.Query().Get("day"))
		writeResult(w, http.StatusOK, lines, err)
	case rest == "sudo" && r.Method == http.MethodPost:
		var req struct{ Password string }
		rec, _ := session.FromContext(r.Context())
		if err := decode(r, &req); err != nil {
			writeErr(w, err)
			return
		}
		writeResult(w, http.StatusOK, map[string]bool{"elevated": true}, rt.d.Auth.Reauthenticate(r.Context(), rec, req.Password))
	case rest == "tags" && r.Method == http.MethodPost:
		var req struct{ Tags []string }
		if err := decode(r, &req); err != nil || len(req.Tags) > 20 {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		for _, tag := range req.Tags {
			if err := rt.d.Catalog.AddTag(r.Context(), ids.AccountID(acct), tag); err != nil { // EXPECT kvhotkey
				writeErr(w, err)
				return
			}
		}
		writeResult(w, http.StatusOK, req, nil)
	case rest == "webhook" && r.Method == http.MethodPut:
		var req struct{ URL string }
		if err := decode(r, &req); err != nil {
			writeErr(w, err)
			return
		}
		writeResult(w, http.StatusOK, req, rt.d.Catalog.SetWebhook(r.Context(), ids.AccountID(acct), req.URL))
	case rest == "orders" && r.Method == http.MethodPost:
		rt.orders["create"].ServeHTTP(w, r)
	case rest == "orders":
		rt.orders["page"].ServeHTTP(w, r)
	default:
		order, ok := strings.CutPrefix(rest, "orders/")
		if !ok {
			http.NotFound(w, r)
			return
		}
		order, action, _ := strings.Cut(order, "/")
		r.SetPathValue("order", order)
		if h, ok := map[string]http.Handler{"": rt.orders["get"], "status": rt.orders["status"]}[action]; ok {
			h.ServeHTTP(w, r)
			return
		}
		http.NotFound(w, r)
	}
}

func decode(r *http.Request, v any) error {
	return json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(v)
}

func writeResult(w http.ResponseWriter, code int, v any, err error) {
	if err != nil {
		writeErr(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

var errSlowDown = errors.New("rate limited, slow down")

// statusOf maps domain errors to HTTP statuses.
var statusOf = map[error]int{
	kvstore.ErrExists: http.StatusConflict, kvstore.ErrNotFound: http.StatusNotFound,
	catalog.ErrUnknownSlug: http.StatusNotFound, quota.ErrOverQuota: http.StatusTooManyRequests,
	errSlowDown: http.StatusTooManyRequests, auth.ErrBadCredentials: http.StatusUnauthorized,
	auth.ErrBadState: http.StatusUnauthorized,
	auth.ErrLocked:   http.StatusForbidden, catalog.ErrBadSlug: http.StatusBadRequest,
	catalog.ErrBadWebhook: http.StatusBadRequest,
}

func writeErr(w http.ResponseWriter, err error) {
	code := http.StatusInternalServerError
	for target, c := range statusOf {
		if errors.Is(err, target) {
			code = c
		}
	}
	if code == http.StatusInternalServerError {
		slog.Error("request failed", "err", err)
	}
	writeResult(w, code, map[string]string{"error": err.Error()}, nil)
}

func (rt *Router) login(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Account  ids.AccountID
		Password string
	}
	if err := decode(r, &req); err != nil || !req.Account.Valid() {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	rec, err := rt.d.Auth.Login(r.Context(), req.Account, req.Password)
	if err != nil {
		writeErr(w, err)
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: rt.d.Config.Session.Cookie, Value: rec.ID.String(), Path: "/",
		HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode, Expires: rec.ExpiresAt,
	})
	writeResult(w, http.StatusOK, map[string]string{"account": rec.Account.String(), "csrf": rec.CSRF.String()}, nil)
}

func (rt *Router) logout(w http.ResponseWriter, r *http.Request) {
	rec, _ := session.FromContext(r.Context())
	if err := rt.d.Sessions.End(r.Context(), rec); err != nil {
		writeErr(w, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: rt.d.Config.Session.Cookie, Path: "/", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}

// flags serves the console feature flags, which ops edit in the dashboard.
func (rt *Router) flags(w http.ResponseWriter, r *http.Request) {
	b, _ := rt.d.Store.Get(r.Context(), "flags/console") // EXPECT kvnull
	var flags map[string]bool
	if err := json.Unmarshal(b, &flags); err != nil {
		writeErr(w, fmt.Errorf("flags: %w", err))
		return
	}
	w.Header().Set("Cache-Control", "max-age=60")
	writeResult(w, http.StatusOK, flags, nil)
}

func (rt *Router) ingest(w http.ResponseWriter, r *http.Request, slug ids.Slug) {
	ctx := r.Context()
	acct, err := rt.d.Catalog.Resolve(ctx, slug)
	if err != nil {
		writeErr(w, err)
		return
	}
	if ok, err := rt.d.Limiter.Allow(ctx, acct, "ingest"); err != nil || !ok {
		if err == nil {
			w.Header().Set("Retry-After", "1")
			err = errSlowDown
		}
		writeErr(w, err)
		return
	}
	limit := rt.d.Config.Limits.PayloadBytes
	body, err := io.ReadAll(io.LimitReader(r.Body, int64(limit)+1))
	if err != nil || len(body) > limit || !json.Valid(body) {
		http.Error(w, "payload must be a JSON document within your plan's size limit", http.StatusBadRequest)
		return
	}
	if err := rt.d.Quota.Charge(ctx, acct, 1); err != nil {
		writeErr(w, err)
		return
	}
	seq, err := rt.d.Outbox.Append(ctx, rt.d.Config.Outbox.Stream, "ingest."+acct.String(), json.RawMessage(body))
	if err == nil {
		stamp := []byte(time.Now().UTC().Format(time.RFC3339))
		err = rt.d.Store.Put(ctx, fmt.Sprintf(rt.d.Config.Keys.LastIngest, acct), stamp, kvstore.PutOptions{TTL: 24 * time.Hour})
	}
	writeResult(w, http.StatusAccepted, map[string]uint64{"seq": seq}, err)
}

// webhook receives account notifications from billing.
func (rt *Router) webhook(w http.ResponseWriter, r *http.Request, provider string) {
	ctx := r.Context()
	var req struct {
		Event   string
		Account ids.AccountID
	}
	err := decode(r, &req)
	switch {
	case err != nil:
	case provider == "billing" && req.Event == "account.provisioned":
		err = rt.d.Quota.Ensure(ctx, req.Account)
	case provider == "billing" && req.Event == "account.plan_changed":
		var lim quota.Limits
		if lim, err = rt.d.Billing(ctx, req.Account); err == nil {
			err = rt.d.Quota.SetLimits(ctx, req.Account, lim)
		}
	case provider != "billing":
		http.NotFound(w, r)
		return
	}
	if err != nil {
		writeErr(w, err)
		return
	}
	seen := fmt.Appendf(nil, "%s %s", provider, time.Now().UTC().Format(time.RFC3339))
	if err := rt.d.Store.Put(ctx, "status/last-webhook", seen, kvstore.PutOptions{}); err != nil { // EXPECT kvhotkey
		slog.Warn("webhook stamp failed", "err", err)
	}
	w.WriteHeader(http.StatusNoContent)
}

func (rt *Router) profile(w http.ResponseWriter, r *http.Request, acct ids.AccountID) {
	ctx := r.Context()
	b, err := rt.d.Cache.Get(ctx, fmt.Sprintf(rt.d.Config.Keys.Profile, acct), func(ctx context.Context, _ string) ([]byte, error) {
		return rt.d.Profiles(ctx, acct)
	})
	if err != nil {
		writeErr(w, err)
		return
	}
	if err := rt.d.Views.Record(ctx, acct); err != nil {
		slog.Debug("view not counted", "account", acct, "err", err)
	}
	writeResult(w, http.StatusOK, json.RawMessage(b), nil)
}
