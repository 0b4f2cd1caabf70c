package httpapi

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"example.com/clinic/internal/auth"
	"example.com/clinic/internal/kvstore"
	"example.com/clinic/internal/reqctx"
)

type Middleware func(http.Handler) http.Handler

// Chain applies mws so that the first one is outermost.
func Chain(h http.Handler, mws ...Middleware) http.Handler {
	for i := len(mws) - 1; i >= 0; i-- {
		h = mws[i](h)
	}
	return h
}

func Logging(log *slog.Logger) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			next.ServeHTTP(w, r)
			log.InfoContext(r.Context(), "request", "method", r.Method, "path", r.URL.Path, "took", time.Since(start))
		})
	}
}

// LastSeen records when the API last served a request; the uptime check
// alerts if it goes stale.
func LastSeen(touch func(ctx context.Context, key string, val []byte, opts ...kvstore.PutOption) error) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r)
			_ = touch(r.Context(), "api:last-request", []byte(time.Now().UTC().Format(time.RFC3339))) // EXPECT kvhotkey
		})
	}
}

// RateLimit allows perMinute requests per client IP.
func RateLimit(store kvstore.Store, perMinute int) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ip, _, err := net.SplitHostPort(r.RemoteAddr)
			if err != nil {
				ip = r.RemoteAddr
			}
			window := time.Now().UTC().Format("200601021504")
			key := "ratelimit:" + ip + ":" + window
			hits := 0
			if b, err := store.Get(r.Context(), key); err == nil {
				hits, _ = strconv.Atoi(string(b))
			} else if !errors.Is(err, kvstore.ErrNotFound) {
				http.Error(w, "unavailable", http.StatusServiceUnavailable)
				return
			}
			if hits >= perMinute {
				http.Error(w, "slow down", http.StatusTooManyRequests)
				return
			}
			if err := store.Put(r.Context(), key, []byte(strconv.Itoa(hits+1)), kvstore.WithTTL(2*time.Minute)); err != nil { // EXPECT kvcounter
				http.Error(w, "unavailable", http.StatusServiceUnavailable)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// RequireSession resolves the session cookie and puts the patient and
// clinic into the request context.
func RequireSession(a *auth.Service) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c, err := r.Cookie("sid")
			if err != nil {
				http.Error(w, "sign in", http.StatusUnauthorized)
				return
			}
			sess, err := a.Authenticate(r.Context(), c.Value)
			if err != nil {
				http.Error(w, "sign in", http.StatusUnauthorized)
				return
			}
			ctx := reqctx.WithPatient(r.Context(), sess.PatientID)
			ctx = reqctx.WithClinic(ctx, sess.ClinicID)
			ctx = reqctx.WithSession(ctx, sess.ID)
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}
