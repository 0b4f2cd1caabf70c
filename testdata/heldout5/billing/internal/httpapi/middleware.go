package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"example.com/billing/internal/clock"
	"example.com/billing/internal/kvstore"
	"example.com/billing/internal/portal"
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

// Recover turns panics into 500s.
func Recover(log *slog.Logger) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer func() {
				if v := recover(); v != nil {
					log.Error("panic", "path", r.URL.Path, "panic", v)
					http.Error(w, "internal error", http.StatusInternalServerError)
				}
			}()
			next.ServeHTTP(w, r)
		})
	}
}

// AccessLog logs each request.
func AccessLog(log *slog.Logger) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			next.ServeHTTP(w, r)
			log.Info("http", "method", r.Method, "path", r.URL.Path, "took", time.Since(start))
		})
	}
}

// AllowFunc decides whether a request identified by key may proceed.
type AllowFunc func(ctx context.Context, key string) (bool, error)

func apiKey(r *http.Request) string {
	return strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
}

// RateLimit rejects requests over the limit. key extracts the bucket key.
func RateLimit(allow AllowFunc, key func(*http.Request) string) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ok, err := allow(r.Context(), key(r))
			if err != nil {
				slog.Warn("rate limiter", "err", err)
			}
			if !ok {
				w.Header().Set("Retry-After", "1")
				http.Error(w, "rate limited", http.StatusTooManyRequests)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// CountRequests keeps a per-key daily request count that the developer
// dashboard shows next to the rate-limit settings.
func CountRequests(kv kvstore.KV, clk clock.Clock) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r)
			key := "apikey:hits:" + apiKey(r) + ":" + clk.Now().UTC().Format("2006-01-02")
			n := 0
			if raw, err := kv.Get(r.Context(), key); err == nil {
				n, _ = strconv.Atoi(string(raw))
			}
			_ = kv.Put(r.Context(), key, []byte(strconv.Itoa(n+1)), kvstore.WithTTL(8*24*time.Hour)) // EXPECT kvcounter
		})
	}
}

type sessionKey struct{}

// SessionFrom returns the portal session stored by RequireSession.
func SessionFrom(ctx context.Context) (portal.Session, bool) {
	s, ok := ctx.Value(sessionKey{}).(portal.Session)
	return s, ok
}

// RequireSession authenticates the portal cookie.
func RequireSession(auth func(ctx context.Context, id string) (portal.Session, error)) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c, err := r.Cookie("portal_session")
			if err != nil {
				http.Error(w, "unauthorized", http.StatusUnauthorized)
				return
			}
			sess, err := auth(r.Context(), c.Value)
			if err != nil {
				http.Error(w, "unauthorized", http.StatusUnauthorized)
				return
			}
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), sessionKey{}, sess)))
		})
	}
}
