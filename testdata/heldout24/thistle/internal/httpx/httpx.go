// Package httpx holds the HTTP plumbing shared by the edge handlers:
// middleware, JSON helpers and request identity.
package httpx

import (
	"context"
	"encoding/json"
	"errors"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"example.com/thistle/internal/clock"
	"example.com/thistle/internal/ratelimit"
	"example.com/thistle/internal/sessions"
	"example.com/thistle/internal/store"
)

// Middleware wraps a handler.
type Middleware func(http.Handler) http.Handler

// Chain applies middleware so that the first listed runs first.
func Chain(h http.Handler, mw ...Middleware) http.Handler {
	for i := len(mw) - 1; i >= 0; i-- {
		h = mw[i](h)
	}
	return h
}

// JSON writes v with the given status.
func JSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Error writes a JSON error body, mapping well-known errors to statuses.
func Error(w http.ResponseWriter, err error) {
	status := http.StatusInternalServerError
	switch {
	case errors.Is(err, store.ErrNotFound):
		status = http.StatusNotFound
	case errors.Is(err, sessions.ErrUnauthenticated):
		status = http.StatusUnauthorized
	case errors.Is(err, ratelimit.ErrLimited):
		status = http.StatusTooManyRequests
	}
	JSON(w, status, map[string]string{"error": err.Error()})
}

// Decode reads a JSON request body of at most 64 KiB.
func Decode(r *http.Request, v any) error {
	return json.NewDecoder(http.MaxBytesReader(nil, r.Body, 64<<10)).Decode(v)
}

// ClientIP returns the connecting address as reported by Cloudflare.
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

// Recover turns panics into 500s.
func Recover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				log.Printf("panic: %v", v)
				JSON(w, http.StatusInternalServerError, map[string]string{"error": "internal"})
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// Logger logs method, path and duration.
func Logger(c clock.Clock) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := c.Now()
			next.ServeHTTP(w, r)
			log.Printf("%s %s %s", r.Method, r.URL.Path, c.Now().Sub(start))
		})
	}
}

// Limit refuses requests the admitter rejects; key picks the identity.
func Limit(a ratelimit.Admitter, key func(*http.Request) string) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if err := a.Allow(r.Context(), key(r)); err != nil {
				Error(w, err)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

type sessionCtxKey struct{}

// SessionFrom returns the session stored by RequireSession.
func SessionFrom(ctx context.Context) (sessions.Session, bool) {
	s, ok := ctx.Value(sessionCtxKey{}).(sessions.Session)
	return s, ok
}

// SessionCookie is the cookie carrying the session id.
const SessionCookie = "thistle_sid"

// RequireSession resolves the session cookie and rejects anonymous calls.
// With touch set, the session's expiry slides forward on each request.
func RequireSession(svc *sessions.Service, touch bool) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c, err := r.Cookie(SessionCookie)
			if err != nil {
				Error(w, sessions.ErrUnauthenticated)
				return
			}
			sess, err := svc.Resolve(r.Context(), c.Value)
			if err != nil {
				Error(w, err)
				return
			}
			if touch {
				if sess, err = svc.Touch(r.Context(), sess); err != nil {
					log.Printf("touch session: %v", err)
				}
			}
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), sessionCtxKey{}, sess)))
		})
	}
}

// kitchenActivityKey holds the time of the latest kitchen admin action.
const kitchenActivityKey = "kitchen/last-activity"

// KitchenActivity records when the kitchen admin was last used.
func KitchenActivity(p store.Putter, c clock.Clock) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r)
			stamp := []byte(c.Now().Format(time.RFC3339))
			if err := p.Put(r.Context(), kitchenActivityKey, stamp, store.PutOptions{}); err != nil { // EXPECT kvhotkey
				log.Printf("kitchen activity: %v", err)
			}
		})
	}
}

// LastVisit records the storefront's most recent visit, at most once per
// interval from this isolate.
func LastVisit(p store.Putter, c clock.Clock, every time.Duration) Middleware {
	var (
		mu   sync.Mutex
		last time.Time
	)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r)
			now := c.Now()
			mu.Lock()
			due := now.Sub(last) >= every
			if due {
				last = now
			}
			mu.Unlock()
			if !due {
				return
			}
			if err := p.Put(r.Context(), "storefront/last-visit", []byte(now.Format(time.RFC3339)), store.PutOptions{}); err != nil { // DEBATABLE kvhotkey
				log.Printf("last visit: %v", err)
			}
		})
	}
}

// CustomerIDFrom returns the session's customer, or the client IP for
// anonymous callers.
func CustomerIDFrom(r *http.Request) string {
	if s, ok := SessionFrom(r.Context()); ok {
		return s.CustomerID
	}
	return "ip:" + ClientIP(r)
}

// PathTail returns the last path segment.
func PathTail(r *http.Request) string {
	p := strings.TrimSuffix(r.URL.Path, "/")
	return p[strings.LastIndex(p, "/")+1:]
}
