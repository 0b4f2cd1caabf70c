package httpapi

import (
	"context"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"example.com/yarrow/internal/domain"
	"example.com/yarrow/internal/edge/auth"
	"example.com/yarrow/internal/storage"
)

type sessionKey struct{}

// SessionFrom returns the session attached by RequireSession.
func SessionFrom(ctx context.Context) (*domain.Session, bool) {
	s, ok := ctx.Value(sessionKey{}).(*domain.Session)
	return s, ok
}

// clientIP prefers the address Cloudflare reports over the socket address.
func clientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// RateLimit rejects clients that exceed perMinute requests in a minute.
func RateLimit(st storage.Store, perMinute int, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		key := "ratelimit:" + clientIP(r)
		n := 0
		raw, err := st.Get(ctx, key)
		switch {
		case err == nil:
			n, _ = strconv.Atoi(string(raw))
		case !storage.IsNotFound(err):
			http.Error(w, "rate limiter unavailable", http.StatusServiceUnavailable)
			return
		}
		if n >= perMinute {
			w.Header().Set("Retry-After", "60")
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return
		}
		if err := st.Put(ctx, key, strconv.AppendInt(nil, int64(n+1), 10), storage.WriteOptions{TTL: time.Minute}); err != nil { // EXPECT kvcounter
			http.Error(w, "rate limiter unavailable", http.StatusServiceUnavailable)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// RequireSession loads the session named by the bearer token, refreshes its
// idle expiry and stores it in the request context.
func RequireSession(sessions *auth.Sessions, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || token == "" {
			http.Error(w, "login required", http.StatusUnauthorized)
			return
		}
		sess, err := sessions.Touch(r.Context(), domain.SessionID(token))
		if err != nil {
			http.Error(w, "login required", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), sessionKey{}, sess)))
	})
}
