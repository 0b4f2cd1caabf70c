// Package httpapi exposes the Trellis storefront and nursery APIs over HTTP.
package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"example.com/trellis/internal/apitokens"
	"example.com/trellis/internal/bus"
	"example.com/trellis/internal/carts"
	"example.com/trellis/internal/catalog"
	"example.com/trellis/internal/clock"
	"example.com/trellis/internal/keys"
	"example.com/trellis/internal/kvstore"
	"example.com/trellis/internal/orders"
	"example.com/trellis/internal/quota"
	"example.com/trellis/internal/sessions"
	"example.com/trellis/internal/sqlstore"
	"example.com/trellis/internal/verify"
	"example.com/trellis/internal/webhooks"
)

// Authenticator checks customer credentials against the customer directory.
type Authenticator interface {
	Authenticate(ctx context.Context, tenant keys.TenantID, email, password string) (user string, err error)
}

// Deps are the services the API is built from.
type Deps struct {
	Store     kvstore.Store
	Bus       *bus.Bus
	Sessions  *sessions.Manager
	Limiter   *sessions.Limiter
	Auth      Authenticator
	Catalog   *catalog.Cache
	Edge      *catalog.Edge
	Wishlists *carts.Wishlists
	Checkout  *carts.Checkout
	Emails    *verify.Emails
	Recovery  *verify.Recovery
	Tokens    *apitokens.Registry
	Meter     *quota.Meter
	Webhooks  *webhooks.Receiver
	Clock     clock.Clock
	CartTTL   time.Duration
	Log       *slog.Logger
}

// Server is the HTTP front end.
type Server struct {
	Deps
	mux *http.ServeMux
}

// New builds the routes.
func New(d Deps) *Server {
	s := &Server{Deps: d, mux: http.NewServeMux()}
	m, t := s.mux, s.tenant
	m.Handle("POST /webhooks/{supplier}", t(s.Webhooks))
	m.Handle("POST /session", t(http.HandlerFunc(s.signIn)))
	m.Handle("DELETE /session", t(http.HandlerFunc(s.signOut)))
	m.Handle("GET /account/devices", t(s.customer(endpoint(200, s.devices))))
	m.Handle("POST /account/email", t(s.customer(endpoint(202, s.startEmail))))
	m.Handle("POST /account/email/confirm", t(s.customer(endpoint(200, s.confirmEmail))))
	m.Handle("POST /account/recovery-codes", t(s.customer(endpoint(201, s.newRecoveryCodes))))
	m.Handle("POST /account/recovery", t(endpoint(200, s.useRecoveryCode)))
	m.Handle("GET /products/{sku}", t(endpoint(200, s.product)))
	m.Handle("GET /categories/{category}", t(endpoint(200, s.category)))
	m.Handle("POST /products/{sku}/like", t(endpoint(200, s.like)))
	m.Handle("POST /products/{sku}/watch", t(endpoint(202, s.watch)))
	m.Handle("POST /cart/items", t(carts.MakeAddItem(s.Store, s.Clock, s.CartTTL)))
	m.Handle("POST /cart/{id}/hold", t(endpoint(200, s.hold)))
	m.Handle("POST /wishlists/{name}", t(s.customer(endpoint(200, s.addToWishlist))))
	m.Handle("POST /promos/{code}/redeem", t(s.customer(makeRedeem(s.Store))))
	m.Handle("POST /orders", t(s.apiToken(makePlaceOrder(s.Bus, s.Store, s.Clock))))
	m.Handle("POST /orders/{id}/status", t(s.apiToken(endpoint(200, s.advance))))
	m.Handle("GET /orders", t(s.apiToken(endpoint(200, s.listOrders))))
	m.Handle("POST /tokens", t(s.apiToken(endpoint(201, s.mintToken))))
	m.Handle("DELETE /tokens/{id}", t(s.apiToken(endpoint(200, s.revokeToken))))
	return s
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// tenant resolves the nursery from the X-Trellis-Tenant header or the subdomain.
func (s *Server) tenant(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw := r.Header.Get("X-Trellis-Tenant")
		if raw == "" {
			raw, _, _ = strings.Cut(r.Host, ".")
		}
		var t keys.TenantID
		if err := t.UnmarshalText([]byte(raw)); err != nil {
			http.Error(w, "unknown tenant", http.StatusNotFound)
			return
		}
		s.Meter.Hit(string(t))
		next.ServeHTTP(w, r.WithContext(keys.WithTenant(r.Context(), t)))
	})
}

type sessionCtxKey struct{}

// customer requires a signed-in customer and keeps the session alive.
func (s *Server) customer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t, _ := keys.TenantFrom(r.Context())
		c, err := r.Cookie("trellis_session")
		if err != nil {
			http.Error(w, "sign in required", http.StatusUnauthorized)
			return
		}
		sess, err := s.Sessions.Touch(r.Context(), string(t), c.Value)
		if err != nil {
			http.Error(w, "sign in required", statusOf(err))
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), sessionCtxKey{}, sess)))
	})
}

func sessionFrom(ctx context.Context) sessions.Session {
	s, _ := ctx.Value(sessionCtxKey{}).(sessions.Session)
	return s
}

// apiToken requires a nursery API token for the current tenant.
func (s *Server) apiToken(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t, _ := keys.TenantFrom(r.Context())
		raw, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if rec, err := s.Tokens.Lookup(r.Context(), raw); err != nil || rec.Tenant != string(t) {
			http.Error(w, "invalid token", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

var errBadRequest = errors.New("bad request")

var statuses = map[error]int{
	errBadRequest: 400, sessions.ErrNoSession: 401, verify.ErrBadCode: 401, verify.ErrNotEnrolled: 401,
	quota.ErrQuotaExceeded: 402, orders.ErrNotFound: 404, sqlstore.ErrNoRows: 404, orders.ErrBadTransition: 409,
	carts.ErrEmptyCart: 409, verify.ErrNoPendingCode: 422, verify.ErrWrongCode: 422, verify.ErrCoolingDown: 429,
}

func statusOf(err error) int {
	for target, code := range statuses {
		if errors.Is(err, target) {
			return code
		}
	}
	return http.StatusBadGateway
}

// endpoint adapts a typed handler: JSON body in, JSON result or mapped error status out.
func endpoint[Req, Resp any](status int, fn func(r *http.Request, req Req) (Resp, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req Req
		if r.Method != http.MethodGet && r.ContentLength != 0 {
			if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&req); err != nil {
				http.Error(w, "bad request", http.StatusBadRequest)
				return
			}
		}
		resp, err := fn(r, req)
		if err != nil {
			http.Error(w, err.Error(), statusOf(err))
			return
		}
		writeJSON(w, status, resp)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
