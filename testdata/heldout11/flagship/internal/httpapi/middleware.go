package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strconv"
	"time"

	"example.com/flagship/internal/audit"
	"example.com/flagship/internal/console"
	"example.com/flagship/internal/kvkey"
	"example.com/flagship/internal/retry"
	"example.com/flagship/internal/storage"
)

// Middleware wraps a handler.
type Middleware func(http.Handler) http.Handler

// Chain applies mws so that the first is outermost.
func Chain(h http.Handler, mws ...Middleware) http.Handler {
	for i := len(mws) - 1; i >= 0; i-- {
		h = mws[i](h)
	}
	return h
}

// Timeout bounds the request context.
func Timeout(d time.Duration) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx, cancel := context.WithTimeout(r.Context(), d)
			defer cancel()
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

func clientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	return host
}

// RateLimit rejects clients that exceed perMinute requests per minute.
func RateLimit(st storage.Store, perMinute int) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx := r.Context()
			window := time.Now().UTC().Format("200601021504")
			key := kvkey.Key("ratelimit").Child(clientIP(r), window).String()
			n := 0
			if b, err := st.Get(ctx, key); err == nil {
				n, _ = strconv.Atoi(string(b))
			} else if !storage.IsNotFound(err) {
				next.ServeHTTP(w, r) // fail open
				return
			}
			if n >= perMinute {
				w.Header().Set("Retry-After", "60")
				http.Error(w, "rate limited", http.StatusTooManyRequests)
				return
			}
			if err := retry.Put(ctx, st.Put, key, []byte(strconv.Itoa(n+1)), storage.WithTTL(2*time.Minute)); err != nil { // EXPECT kvcounter
				w.Header().Set("X-RateLimit-Degraded", "1")
			}
			next.ServeHTTP(w, r)
		})
	}
}

type sessionCtxKey struct{}

// SessionFrom returns the session attached by RequireSession.
func SessionFrom(ctx context.Context) (console.Session, bool) {
	s, ok := ctx.Value(sessionCtxKey{}).(console.Session)
	return s, ok
}

// RequireSession loads the console session from its cookie and keeps it
// alive for another ttl.
func RequireSession(ops Ops, ttl time.Duration) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c, err := r.Cookie("fs_session")
			if err != nil {
				http.Error(w, "sign in required", http.StatusUnauthorized)
				return
			}
			ctx, key := r.Context(), console.Key(c.Value)
			b, err := ops.Get(ctx, key)
			if errors.Is(err, storage.ErrNotFound) {
				http.Error(w, "session expired", http.StatusUnauthorized)
				return
			}
			var sess console.Session
			if err != nil || json.Unmarshal(b, &sess) != nil {
				http.Error(w, "session lookup failed", http.StatusServiceUnavailable)
				return
			}
			sess.LastSeen = time.Now().UTC()
			if nb, err := json.Marshal(sess); err == nil {
				_ = ops.Put(ctx, key, nb, ttl) // EXPECT kvsession
			}
			next.ServeHTTP(w, r.WithContext(context.WithValue(ctx, sessionCtxKey{}, sess)))
		})
	}
}

// lastChangeKey backs the "last change" banner on the console home page.
const lastChangeKey = "console/last-change"

// AuditChanges records every mutating console request.
func AuditChanges(st storage.Store, log *audit.Log) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r)
			if r.Method == http.MethodGet {
				return
			}
			ctx := context.WithoutCancel(r.Context())
			sess, _ := SessionFrom(r.Context())
			e := audit.Entry{Actor: sess.User, Action: r.Method, Target: r.URL.Path}
			if err := log.Record(ctx, e); err != nil {
				return
			}
			b, _ := json.Marshal(e)
			_ = st.Put(ctx, lastChangeKey, b) // EXPECT kvhotkey
		})
	}
}
