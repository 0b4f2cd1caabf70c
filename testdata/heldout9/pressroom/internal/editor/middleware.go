package editor

import (
	"context"
	"net/http"
)

type ctxKey struct{}

// FromContext returns the session placed by RequireEditor.
func FromContext(ctx context.Context) (Session, bool) {
	s, ok := ctx.Value(ctxKey{}).(Session)
	return s, ok
}

// RequireEditor rejects requests without a valid session cookie.
func RequireEditor(m *Manager, cookieName string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c, err := r.Cookie(cookieName)
			if err != nil {
				http.Error(w, "login required", http.StatusUnauthorized)
				return
			}
			sess, err := m.Lookup(r.Context(), c.Value)
			if err != nil {
				http.Error(w, "login required", http.StatusUnauthorized)
				return
			}
			if sess, err = m.Touch(r.Context(), sess); err != nil {
				http.Error(w, "session store unavailable", http.StatusServiceUnavailable)
				return
			}
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, sess)))
		})
	}
}
