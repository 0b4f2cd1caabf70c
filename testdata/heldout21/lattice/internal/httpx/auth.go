package httpx

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"example.com/lattice/internal/authn"
	"example.com/lattice/internal/platform/kvstore"
)

type sessionKey struct{}

// SessionFrom returns the session stored by RequireSession.
func SessionFrom(ctx context.Context) (authn.Session, bool) {
	s, ok := ctx.Value(sessionKey{}).(authn.Session)
	return s, ok
}

// RequireSession resolves the session cookie and slides its expiry.
func RequireSession(m *authn.Manager) Middleware {
	return func(next http.Handler) http.Handler {
		return HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
			c, err := r.Cookie("lattice_session")
			if err != nil {
				return Status(http.StatusUnauthorized, err)
			}
			s, err := m.Resume(r.Context(), authn.SessionID(c.Value))
			if errors.Is(err, authn.ErrNoSession) {
				return Status(http.StatusUnauthorized, err)
			}
			if err != nil {
				return err
			}
			if s, err = m.Touch(r.Context(), s); err != nil {
				return err
			}
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), sessionKey{}, s)))
			return nil
		})
	}
}

// RequireRole rejects sessions without role.
func RequireRole(role string) Middleware {
	return func(next http.Handler) http.Handler {
		return HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
			s, ok := SessionFrom(r.Context())
			if !ok || !s.HasRole(role) {
				return Status(http.StatusForbidden, errors.New("missing role "+role))
			}
			next.ServeHTTP(w, r)
			return nil
		})
	}
}

// LastActivity records when the API last served a request, for the status
// page's "last activity" line.
func LastActivity(store kvstore.Store) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r)
			stamp := strconv.FormatInt(time.Now().Unix(), 10)
			_ = store.Put(r.Context(), "status:last-activity", []byte(stamp)) // EXPECT kvhotkey
		})
	}
}
