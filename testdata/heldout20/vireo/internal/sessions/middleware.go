package sessions

import (
	"context"
	"errors"
	"net/http"

	"example.com/vireo/internal/domain"
)

type ctxKey struct{}

// FromContext returns the session resolved by Middleware.
func FromContext(ctx context.Context) (domain.Session, bool) {
	sess, ok := ctx.Value(ctxKey{}).(domain.Session)
	return sess, ok
}

// Middleware resolves the session cookie and extends the session.
func (s *Store) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(CookieName)
		if err != nil {
			next.ServeHTTP(w, r)
			return
		}
		sess, err := s.Lookup(r.Context(), c.Value)
		switch {
		case errors.Is(err, domain.ErrNotFound), errors.Is(err, domain.ErrExpired):
			http.SetCookie(w, &http.Cookie{Name: CookieName, MaxAge: -1, Path: "/"})
			next.ServeHTTP(w, r)
			return
		case err != nil:
			http.Error(w, "session store unavailable", http.StatusServiceUnavailable)
			return
		}
		if s.Sliding {
			sess, err = s.Touch(r.Context(), sess)
		} else {
			sess, err = s.Refresh(r.Context(), sess)
		}
		if err != nil {
			http.Error(w, "session store unavailable", http.StatusServiceUnavailable)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, sess)))
	})
}
