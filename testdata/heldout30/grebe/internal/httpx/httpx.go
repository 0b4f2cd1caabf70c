// Package httpx holds HTTP plumbing shared by the worker and the backend:
// middleware, JSON helpers and error mapping.
package httpx

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"example.com/grebe/internal/domain"
	"example.com/grebe/internal/store"
)

// Middleware wraps a handler.
type Middleware func(http.Handler) http.Handler

// Chain applies mws so that the first one is outermost.
func Chain(h http.Handler, mws ...Middleware) http.Handler {
	for i := len(mws) - 1; i >= 0; i-- {
		h = mws[i](h)
	}
	return h
}

// Logging logs one line per request.
func Logging(l *slog.Logger) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			next.ServeHTTP(w, r)
			l.InfoContext(r.Context(), "request", "method", r.Method, "path", r.URL.Path, "dur", time.Since(start))
		})
	}
}

// SessionChecker resolves a session ID from a cookie or bearer token.
type SessionChecker interface {
	Check(ctx context.Context, id string) (domain.Session, error)
}

type ctxKey struct{}

// Member returns the member of an authenticated request.
func Member(ctx context.Context) (domain.MemberID, bool) {
	s, ok := ctx.Value(ctxKey{}).(domain.Session)
	return s.Member, ok
}

// WithSession returns ctx carrying s; for tests and internal calls.
func WithSession(ctx context.Context, s domain.Session) context.Context {
	return context.WithValue(ctx, ctxKey{}, s)
}

// SessionID extracts the session ID from the request.
func SessionID(r *http.Request) string {
	if c, err := r.Cookie("grebe_sid"); err == nil {
		return c.Value
	}
	if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") {
		return strings.TrimPrefix(h, "Bearer ")
	}
	return ""
}

// RequireSession rejects requests without a valid session.
func RequireSession(c SessionChecker) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			id := SessionID(r)
			if id == "" {
				http.Error(w, "unauthorized", http.StatusUnauthorized)
				return
			}
			s, err := c.Check(r.Context(), id)
			if err != nil {
				http.Error(w, "unauthorized", http.StatusUnauthorized)
				return
			}
			next.ServeHTTP(w, r.WithContext(WithSession(r.Context(), s)))
		})
	}
}

// JSON writes v with the given status.
func JSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Decode reads a JSON request body of at most 64 KiB.
func Decode[T any](r *http.Request) (T, error) {
	var v T
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	err := dec.Decode(&v)
	return v, err
}

// Error maps domain and storage errors to HTTP statuses.
func Error(w http.ResponseWriter, err error) {
	status := http.StatusInternalServerError
	switch {
	case errors.Is(err, store.ErrNotFound), errors.Is(err, domain.ErrUnknown):
		status = http.StatusNotFound
	case errors.Is(err, domain.ErrConflict):
		status = http.StatusConflict
	case errors.Is(err, domain.ErrForbidden):
		status = http.StatusForbidden
	case errors.Is(err, domain.ErrExpired):
		status = http.StatusGone
	case errors.Is(err, domain.ErrInsufficientCredit), errors.Is(err, domain.ErrQuotaExceeded):
		status = http.StatusPaymentRequired
	case errors.Is(err, ErrBadPageToken):
		status = http.StatusBadRequest
	}
	JSON(w, status, map[string]string{"error": err.Error()})
}
