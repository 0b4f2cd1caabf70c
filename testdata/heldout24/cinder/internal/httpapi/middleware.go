package httpapi

import (
	"context"
	"errors"
	"log"
	"net/http"
	"strings"
	"time"

	"example.com/cinder/internal/apikeys"
	"example.com/cinder/internal/domain"
	"example.com/cinder/internal/ratelimit"
	"example.com/cinder/internal/session"
	"example.com/cinder/internal/storage"
)

// Middleware wraps a handler.
type Middleware func(http.Handler) http.Handler

type principalKey struct{}

// Principal is whoever the request acts for.
type Principal struct {
	UserID   string
	TenantID string
	Session  *domain.Session
	APIKey   *domain.APIKey
}

func withPrincipal(r *http.Request, p Principal) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), principalKey{}, p))
}

// PrincipalFrom returns the authenticated principal, if any.
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}

// SessionAuth resolves the session cookie and keeps the session alive.
func SessionAuth(m *session.Manager) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c, err := r.Cookie("cinder_session")
			if err != nil {
				next.ServeHTTP(w, r)
				return
			}
			s, err := m.Resolve(r.Context(), c.Value)
			if err != nil {
				next.ServeHTTP(w, r)
				return
			}
			if err := m.Touch(r.Context(), s); err != nil {
				log.Printf("session touch: %v", err)
			}
			tenant := s.TenantID
			if s.ActiveTenant != "" {
				tenant = s.ActiveTenant
			}
			next.ServeHTTP(w, withPrincipal(r, Principal{UserID: s.UserID, TenantID: tenant, Session: &s}))
		})
	}
}

// APIKeyAuth authenticates "Authorization: Bearer" API keys.
func APIKeyAuth(reg *apikeys.Registry) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := r.Header.Get("Authorization")
			secret, ok := strings.CutPrefix(h, "Bearer ")
			if !ok {
				next.ServeHTTP(w, r)
				return
			}
			k, err := reg.Authenticate(r.Context(), secret, "")
			if err != nil {
				if errors.Is(err, apikeys.ErrUnknownKey) {
					http.Error(w, "invalid api key", http.StatusUnauthorized)
					return
				}
				http.Error(w, "auth unavailable", http.StatusServiceUnavailable)
				return
			}
			next.ServeHTTP(w, withPrincipal(r, Principal{TenantID: k.TenantID, APIKey: &k}))
		})
	}
}

// RequireAuth rejects anonymous requests.
func RequireAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := PrincipalFrom(r.Context()); !ok {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// Throttle applies gate to every authenticated tenant.
func Throttle(gate ratelimit.Gate) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p, ok := PrincipalFrom(r.Context())
			if ok {
				if err := gate(r.Context(), p.TenantID); errors.Is(err, ratelimit.ErrLimited) {
					w.Header().Set("Retry-After", "60")
					http.Error(w, "rate limited", http.StatusTooManyRequests)
					return
				}
			}
			next.ServeHTTP(w, r)
		})
	}
}

// Activity records the time of the most recent API call for the status page.
func Activity(store storage.Putter, now func() time.Time) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r)
			stamp := []byte(now().UTC().Format(time.RFC3339))
			if err := store.Put(r.Context(), "meta:last_api_call", stamp); err != nil { // EXPECT kvhotkey
				log.Printf("activity: %v", err)
			}
		})
	}
}

// Chain applies middlewares so that the first one listed runs first.
func Chain(h http.Handler, mws ...Middleware) http.Handler {
	for i := len(mws) - 1; i >= 0; i-- {
		h = mws[i](h)
	}
	return h
}
