// Package httpx holds the HTTP middleware shared by the public and partner
// APIs.
package httpx

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"example.com/ember/internal/auth"
	"example.com/ember/internal/kvstore"
)

// Middleware wraps a handler.
type Middleware func(http.Handler) http.Handler

// Chain applies mws so that the first one is the outermost.
func Chain(h http.Handler, mws ...Middleware) http.Handler {
	for i := len(mws) - 1; i >= 0; i-- {
		h = mws[i](h)
	}
	return h
}

type ctxKey int

const (
	requestIDKey ctxKey = iota
	sessionKey
)

// RequestID tags every request with an id, reusing the edge's cf-ray.
func RequestID() Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			id := r.Header.Get("Cf-Ray")
			if id == "" {
				b := make([]byte, 8)
				_, _ = rand.Read(b)
				id = hex.EncodeToString(b)
			}
			w.Header().Set("X-Request-Id", id)
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey, id)))
		})
	}
}

// Logging logs one line per request.
func Logging(log *slog.Logger) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			next.ServeHTTP(w, r)
			log.Info("request", "method", r.Method, "path", r.URL.Path, "took", time.Since(start), "id", w.Header().Get("X-Request-Id"))
		})
	}
}

// Sessions is what RequireSession needs from the auth service.
type Sessions interface {
	Lookup(ctx context.Context, id string) (auth.Session, error)
	Touch(ctx context.Context, s auth.Session) error
}

// RequireSession rejects requests without a valid bearer session and keeps
// the session alive while the rider is active.
func RequireSession(sessions Sessions, log *slog.Logger) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			id, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			if !ok || id == "" {
				Error(w, http.StatusUnauthorized, "missing session")
				return
			}
			sess, err := sessions.Lookup(r.Context(), id)
			if err != nil {
				if errors.Is(err, auth.ErrNoSession) {
					Error(w, http.StatusUnauthorized, "session expired")
					return
				}
				Error(w, http.StatusUnauthorized, "session lookup failed")
				return
			}
			if err := sessions.Touch(r.Context(), sess); err != nil {
				log.Warn("session touch failed", "err", err)
			}
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), sessionKey, sess)))
		})
	}
}

// SessionFrom returns the session stored by RequireSession.
func SessionFrom(ctx context.Context) (auth.Session, bool) {
	s, ok := ctx.Value(sessionKey).(auth.Session)
	return s, ok
}

// Limiter is what PartnerQuota needs from the quota service.
type Limiter interface {
	Allow(ctx context.Context, city string) (bool, error)
}

// PartnerQuota enforces the city plan of partner requests.
func PartnerQuota(l Limiter, log *slog.Logger) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			city := r.URL.Query().Get("city")
			if city == "" {
				Error(w, http.StatusBadRequest, "city is required")
				return
			}
			ok, err := l.Allow(r.Context(), city)
			if err != nil {
				log.Warn("quota check failed, allowing", "city", city, "err", err)
			} else if !ok {
				w.Header().Set("Retry-After", "60")
				Error(w, http.StatusTooManyRequests, "plan limit reached")
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// LastSeen records when the API last served a request, shown on the status
// page of the operations dashboard.
func LastSeen(store kvstore.Store, log *slog.Logger) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r)
			stamp := []byte(time.Now().UTC().Format(time.RFC3339Nano))
			if err := store.Put(r.Context(), "api:last-request", stamp); err != nil { // EXPECT kvhotkey
				log.Debug("last-seen not recorded", "err", err)
			}
		})
	}
}

// JSON writes v with status.
func JSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Error writes a JSON error body.
func Error(w http.ResponseWriter, status int, msg string) {
	JSON(w, status, map[string]string{"error": msg})
}
