// Package httpapi exposes the creator API and the public feed endpoints.
package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log"
	"net/http"
	"time"

	"example.com/marlin/internal/accounts"
	"example.com/marlin/internal/clock"
	"example.com/marlin/internal/kv"
)

type ctxKey int

const (
	keyRequestID ctxKey = iota
	keySession
)

// RequestID tags each request with an id echoed in the response.
func RequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if id == "" {
			var b [8]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), keyRequestID, id)))
	})
}

// Recover turns panics into 500 responses.
func Recover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				log.Printf("panic: %v", v)
				http.Error(w, "internal error", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// Stamp records the time of the most recent API request, which the status
// page shows as "last activity".
func Stamp(store kv.Putter, c clock.Clock) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			now := []byte(c.Now().Format(time.RFC3339))
			if err := store.Put(r.Context(), "status:api:last-request", now, kv.PutOptions{}); err != nil { // EXPECT kvhotkey
				log.Printf("stamp: %v", err)
			}
			next.ServeHTTP(w, r)
		})
	}
}

// SessionLoader resolves a cookie value to a session.
type SessionLoader interface {
	Session(ctx context.Context, id string) (accounts.Session, error)
}

// Toucher extends a session on activity.
type Toucher func(ctx context.Context, s accounts.Session) error

// Auth requires a valid session cookie and extends the session on every
// request.
func Auth(sessions SessionLoader, touch Toucher) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c, err := r.Cookie("marlin_session")
			if err != nil {
				http.Error(w, "sign in required", http.StatusUnauthorized)
				return
			}
			sess, err := sessions.Session(r.Context(), c.Value)
			if errors.Is(err, accounts.ErrNoSession) {
				http.Error(w, "session expired", http.StatusUnauthorized)
				return
			}
			if err != nil {
				http.Error(w, "session lookup failed", http.StatusBadGateway)
				return
			}
			if err := touch(r.Context(), sess); err != nil {
				log.Printf("touch session: %v", err)
			}
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), keySession, sess)))
		})
	}
}

func sessionFrom(ctx context.Context) (accounts.Session, bool) {
	s, ok := ctx.Value(keySession).(accounts.Session)
	return s, ok
}
