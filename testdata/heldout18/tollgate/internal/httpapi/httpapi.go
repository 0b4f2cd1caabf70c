// Package httpapi is the gateway's HTTP surface: tenant-facing management
// endpoints behind API-key authentication, plus a few admin routes.
package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"example.com/tollgate/internal/accesslist"
	"example.com/tollgate/internal/apikeys"
	"example.com/tollgate/internal/catalog"
	"example.com/tollgate/internal/domain"
	"example.com/tollgate/internal/metering"
	"example.com/tollgate/internal/ratelimit"
	"example.com/tollgate/internal/sharelinks"
	"example.com/tollgate/internal/storage"
	"example.com/tollgate/internal/subscriptions"
)

type ctxKey int

const (
	keyCtx ctxKey = iota
	requestIDCtx
)

// KeyFrom returns the authenticated API key stored on ctx.
func KeyFrom(ctx context.Context) (domain.APIKey, bool) {
	k, ok := ctx.Value(keyCtx).(domain.APIKey)
	return k, ok
}

// RequestIDFrom returns the request id stored on ctx, if any.
func RequestIDFrom(ctx context.Context) (string, bool) {
	id, ok := ctx.Value(requestIDCtx).(string)
	return id, ok
}

// Deps are the services the API calls.
type Deps struct {
	Store    storage.Store
	Keys     *apikeys.Service
	Catalog  *catalog.Catalog
	Limiter  ratelimit.Limiter
	Meter    *metering.Recorder
	ACL      *accesslist.Service
	Subs     *subscriptions.Service
	Links    *sharelinks.Service
	AdminKey string
	Log      *slog.Logger
}

// Server routes requests.
type Server struct{ Deps }

// New returns a server.
func New(d Deps) *Server { return &Server{Deps: d} }

type handler func(w http.ResponseWriter, r *http.Request) error

// Handler builds the route table.
func (s *Server) Handler() http.Handler {
	tenant := map[string]handler{
		"DELETE /v1/keys/{id}":       s.revokeKey,
		"POST /v1/subscription/plan": s.changePlan,
		"POST /v1/acl/{kind}":        s.addACL,
		"DELETE /v1/acl/{kind}":      s.removeACL,
		"POST /v1/subdomains/{name}": s.claimSubdomain,
		"GET /v1/limits":             s.limits,
		"POST /v1/share-links":       s.shareLink,
	}
	mux := http.NewServeMux()
	for pattern, h := range tenant {
		mux.Handle(pattern, s.withRequestID(s.authenticate(s.errors(h))))
	}
	mux.Handle("PUT /admin/maintenance", s.withRequestID(s.errors(s.setMaintenance)))
	return mux
}

type httpError struct {
	code int
	msg  string
}

func (e *httpError) Error() string { return e.msg }

func fail(code int, msg string) error { return &httpError{code: code, msg: msg} }

func (s *Server) errors(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := h(w, r)
		if err == nil {
			return
		}
		var he *httpError
		switch {
		case errors.As(err, &he):
			http.Error(w, he.msg, he.code)
		case errors.Is(err, apikeys.ErrConflict), errors.Is(err, catalog.ErrPrecondition), errors.Is(err, subscriptions.ErrStale):
			http.Error(w, err.Error(), http.StatusPreconditionFailed)
		case errors.Is(err, subscriptions.ErrInProgress):
			http.Error(w, err.Error(), http.StatusConflict)
		case errors.Is(err, sharelinks.ErrExpired), storage.IsNotFound(err):
			http.Error(w, "not found", http.StatusNotFound)
		default:
			s.Log.ErrorContext(r.Context(), "request failed", "path", r.URL.Path, "err", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
		}
	})
}

func (s *Server) withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if id == "" {
			id = domain.NewToken(8)
		}
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDCtx, id)))
	})
}

func clientAddr(r *http.Request) netip.Addr {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, _ := netip.ParseAddr(host)
	return addr
}

func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			http.Error(w, "missing credentials", http.StatusUnauthorized)
			return
		}
		key, err := s.Keys.Verify(ctx, token)
		if err != nil {
			code := http.StatusUnauthorized
			if errors.Is(err, apikeys.ErrLocked) {
				code = http.StatusTooManyRequests
			}
			http.Error(w, err.Error(), code)
			return
		}
		if ok, err := s.ACL.Check(ctx, key.TenantID, clientAddr(r)); err != nil || !ok {
			http.Error(w, "address not permitted", http.StatusForbidden)
			return
		}
		plan, _ := s.planFor(ctx, key.Plan)
		d, err := s.Limiter.Allow(ctx, key.TenantID, plan.RatePerMinute)
		if err != nil || !d.Allowed {
			w.Header().Set("Retry-After", strconv.Itoa(int(time.Until(d.ResetAt).Seconds())+1))
			http.Error(w, "rate limited", http.StatusTooManyRequests)
			return
		}
		w.Header().Set("X-RateLimit-Remaining", strconv.Itoa(d.Remaining))
		if err := s.Meter.Observe(ctx, metering.Event{Tenant: key.TenantID, Bytes: r.ContentLength, At: time.Now()}); err != nil {
			s.Log.WarnContext(ctx, "metering", "err", err)
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(ctx, keyCtx, key)))
	})
}

func (s *Server) planFor(ctx context.Context, id domain.PlanID) (domain.Plan, error) {
	cat, err := s.Catalog.Get(ctx)
	if err != nil {
		return domain.Plan{RatePerMinute: 60}, err
	}
	p, ok := cat.Find(id)
	if !ok {
		return domain.Plan{RatePerMinute: 60}, nil
	}
	return p, nil
}

func writeJSON(w http.ResponseWriter, code int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	return json.NewEncoder(w).Encode(v)
}

func decode(r *http.Request, v any) error {
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(v); err != nil {
		return fail(http.StatusBadRequest, "malformed body: "+err.Error())
	}
	return nil
}

func require(r *http.Request, scope domain.Scope) (domain.APIKey, error) {
	k, ok := KeyFrom(r.Context())
	if !ok || !k.Has(scope) {
		return k, fail(http.StatusForbidden, "missing scope "+string(scope))
	}
	return k, nil
}

func (s *Server) revokeKey(w http.ResponseWriter, r *http.Request) error {
	if _, err := require(r, domain.ScopeAdmin); err != nil {
		return err
	}
	id := domain.KeyID(r.PathValue("id"))
	if err := s.Keys.Revoke(r.Context(), id); err != nil {
		return err
	}
	if err := s.ACL.DenyKey(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) changePlan(w http.ResponseWriter, r *http.Request) error {
	k, err := require(r, domain.ScopeBilling)
	if err != nil {
		return err
	}
	var body struct {
		Plan domain.PlanID `json:"plan"`
	}
	if err := decode(r, &body); err != nil {
		return err
	}
	sub, err := s.Subs.ChangePlan(r.Context(), k.TenantID, body.Plan, r.Header.Get("If-Match"))
	if err != nil {
		return err
	}
	w.Header().Set("ETag", sub.ETag)
	return writeJSON(w, http.StatusOK, sub)
}

func (s *Server) addACL(w http.ResponseWriter, r *http.Request) error {
	return s.editACL(w, r, s.ACL.Add)
}

func (s *Server) removeACL(w http.ResponseWriter, r *http.Request) error {
	return s.editACL(w, r, s.ACL.Remove)
}

func (s *Server) editACL(w http.ResponseWriter, r *http.Request, op func(context.Context, domain.TenantID, domain.ListKind, string) error) error {
	k, err := require(r, domain.ScopeAdmin)
	if err != nil {
		return err
	}
	kind := domain.ListKind(r.PathValue("kind"))
	if kind != domain.Allow && kind != domain.Deny {
		return fail(http.StatusNotFound, "unknown list")
	}
	var body struct {
		CIDR string `json:"cidr"`
	}
	if err := decode(r, &body); err != nil {
		return err
	}
	if err := op(r.Context(), k.TenantID, kind, body.CIDR); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) shareLink(w http.ResponseWriter, r *http.Request) error {
	k, err := require(r, domain.ScopeRead)
	if err != nil {
		return err
	}
	report := r.URL.Query().Get("report")
	var link domain.ShareLink
	if r.URL.Query().Has("preview") {
		link, err = s.Links.Preview(r.Context(), k.TenantID, report)
	} else {
		link, err = s.Links.Create(r.Context(), k.TenantID, report, 24*time.Hour)
	}
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, link)
}

func (s *Server) claimSubdomain(w http.ResponseWriter, r *http.Request) error {
	k, err := require(r, domain.ScopeAdmin)
	if err != nil {
		return err
	}
	name := strings.ToLower(r.PathValue("name"))
	if len(name) < 3 || len(name) > 63 {
		return fail(http.StatusBadRequest, "subdomain must be 3-63 characters")
	}
	key := "subdomain:" + name
	if _, err := s.Store.Get(r.Context(), key); err == nil {
		return fail(http.StatusConflict, "subdomain taken")
	} else if !storage.IsNotFound(err) {
		return err
	}
	if err := s.Store.Put(r.Context(), key, []byte(k.TenantID), storage.PutOptions{}); err != nil { // EXPECT kvrace
		return err
	}
	w.WriteHeader(http.StatusCreated)
	return nil
}

func (s *Server) limits(w http.ResponseWriter, r *http.Request) error {
	k, err := require(r, domain.ScopeRead)
	if err != nil {
		return err
	}
	ctx := r.Context()
	plan, err := s.planFor(ctx, k.Plan)
	if err != nil {
		return err
	}
	raw, err := s.Store.Get(ctx, "burst-factor:"+string(k.TenantID)) // EXPECT kvnull
	if err != nil && !storage.IsNotFound(err) {
		return err
	}
	factor, _ := strconv.ParseFloat(string(raw), 64)
	return writeJSON(w, http.StatusOK, map[string]any{
		"rate_per_minute": plan.RatePerMinute,
		"burst":           int(float64(plan.RatePerMinute) * factor),
		"monthly_quota":   plan.MonthlyQuota,
	})
}

func (s *Server) setMaintenance(w http.ResponseWriter, r *http.Request) error {
	if s.AdminKey == "" || r.Header.Get("X-Admin-Key") != s.AdminKey {
		return fail(http.StatusForbidden, "forbidden")
	}
	var body struct {
		Enabled bool   `json:"enabled"`
		Reason  string `json:"reason"`
	}
	if err := decode(r, &body); err != nil {
		return err
	}
	raw, _ := json.Marshal(body)
	if err := s.Store.Put(r.Context(), "maintenance:flag", raw, storage.PutOptions{}); err != nil { // DEBATABLE kvhotkey
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
