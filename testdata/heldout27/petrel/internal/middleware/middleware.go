// Package middleware holds the HTTP middleware shared by both services.
package middleware

import (
	"context"
	"encoding/json"
	"errors"
	"log"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"example.com/petrel/internal/storage"
)

type Middleware func(http.Handler) http.Handler

func Recover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				log.Printf("panic serving %s %s: %v", r.Method, r.URL.Path, v)
				http.Error(w, "internal error", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// ClientIP prefers the address Cloudflare reports.
func ClientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// RateLimit allows perMinute requests per client address.
func RateLimit(st storage.Store, perMinute int) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx := r.Context()
			key := "ratelimit/" + ClientIP(r)
			n := 0
			raw, err := st.Get(ctx, key)
			switch {
			case err == nil:
				n, _ = strconv.Atoi(string(raw))
			case !storage.IsNotFound(err):
				log.Printf("ratelimit: %v", err)
				next.ServeHTTP(w, r)
				return
			}
			if n >= perMinute {
				w.Header().Set("Retry-After", "60")
				http.Error(w, "rate limited", http.StatusTooManyRequests)
				return
			}
			if err := st.Put(ctx, key, []byte(strconv.Itoa(n+1)), storage.PutOptions{TTL: time.Minute}); err != nil { // EXPECT kvcounter
				log.Printf("ratelimit: %v", err)
			}
			next.ServeHTTP(w, r)
		})
	}
}

// Touch records when the API last served a request, for the status page.
func Touch(st storage.Store) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			stamp := []byte(time.Now().UTC().Format(time.RFC3339))
			if err := st.Put(r.Context(), "status/last-request", stamp, storage.PutOptions{}); err != nil { // EXPECT kvhotkey
				log.Printf("touch: %v", err)
			}
			next.ServeHTTP(w, r)
		})
	}
}

// Session is a signed-in dashboard user.
type Session struct {
	ID       string    `json:"id"`
	UserID   string    `json:"user_id"`
	Team     string    `json:"team"`
	Created  time.Time `json:"created"`
	LastSeen time.Time `json:"last_seen"`
}

const SessionCookie = "petrel_session"

func SessionKey(id string) string { return "session/" + id }

type sessionCtxKey struct{}

// CurrentSession returns the session set by Sessions.
func CurrentSession(ctx context.Context) (*Session, bool) {
	s, ok := ctx.Value(sessionCtxKey{}).(*Session)
	return s, ok
}

// Sessions loads the dashboard session and extends it on every request.
func Sessions(st storage.Store, ttl time.Duration) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c, err := r.Cookie(SessionCookie)
			if err != nil || strings.ContainsAny(c.Value, "/.") || c.Value == "" {
				http.Error(w, "sign in required", http.StatusUnauthorized)
				return
			}
			ctx := r.Context()
			raw, err := st.Get(ctx, SessionKey(c.Value))
			if errors.Is(err, storage.ErrNotFound) {
				http.Error(w, "session expired", http.StatusUnauthorized)
				return
			}
			if err != nil {
				http.Error(w, "session store unavailable", http.StatusServiceUnavailable)
				return
			}
			var sess Session
			if err := json.Unmarshal(raw, &sess); err != nil {
				http.Error(w, "session corrupt", http.StatusUnauthorized)
				return
			}
			sess.LastSeen = time.Now().UTC()
			b, _ := json.Marshal(sess)
			if err := st.Put(ctx, SessionKey(sess.ID), b, storage.PutOptions{TTL: ttl}); err != nil { // EXPECT kvsession
				log.Printf("session: extend %s: %v", sess.ID, err)
			}
			next.ServeHTTP(w, r.WithContext(context.WithValue(ctx, sessionCtxKey{}, &sess)))
		})
	}
}
