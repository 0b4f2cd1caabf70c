// Package middleware holds the gateway's http.Handler decorators.
package middleware

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"example.com/authgw/internal/ids"
	"example.com/authgw/internal/kvport"
)

// Middleware decorates a handler.
type Middleware func(http.Handler) http.Handler

// Chain applies mws so that the first one is outermost.
func Chain(h http.Handler, mws ...Middleware) http.Handler {
	for i := len(mws) - 1; i >= 0; i-- {
		h = mws[i](h)
	}
	return h
}

type ctxKey int

const (
	requestIDKey ctxKey = iota
	principalKey
)

// Principal is whoever the request acts for.
type Principal struct {
	UserID    string
	SessionID string
	TenantID  string
	KeyID     string
	Scopes    []string
}

// WithPrincipal stores p in ctx.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey, p)
}

// PrincipalFrom returns the request's principal or nil.
func PrincipalFrom(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey).(*Principal)
	return p
}

// RequestIDFrom returns the request id.
func RequestIDFrom(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// RequestID tags each request with an id, reusing Cloudflare's ray id.
func RequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("Cf-Ray")
		if id == "" {
			id = ids.New()
		}
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey, id)))
	})
}

// Recover turns panics into 500s.
func Recover(log *slog.Logger) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer func() {
				if v := recover(); v != nil {
					log.Error("panic", "err", fmt.Sprint(v), "req", RequestIDFrom(r.Context()))
					http.Error(w, "internal error", http.StatusInternalServerError)
				}
			}()
			next.ServeHTTP(w, r)
		})
	}
}

type statusWriter struct {
	http.ResponseWriter
	code int
}

func (s *statusWriter) WriteHeader(c int) { s.code = c; s.ResponseWriter.WriteHeader(c) }

// AccessLog logs one line per request.
func AccessLog(log *slog.Logger) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
			next.ServeHTTP(sw, r)
			log.Info("req", "method", r.Method, "path", r.URL.Path, "status", sw.code,
				"ms", time.Since(start).Milliseconds(), "id", RequestIDFrom(r.Context()))
		})
	}
}

// ClientIP returns the connecting client's address.
func ClientIP(r *http.Request) string {
	if ip := r.Header.Get("Cf-Connecting-Ip"); ip != "" {
		return ip
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// ThrottleConfig bounds unauthenticated endpoints per client IP.
type ThrottleConfig struct {
	Limit  uint64
	Bucket time.Duration
}

// IPThrottle limits how often one IP can hit the wrapped handler.
func IPThrottle(kv kvport.Store, scope string, cfg ThrottleConfig) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx := r.Context()
			bucket := time.Now().Unix() / int64(cfg.Bucket/time.Second)
			key := "throttle:" + scope + ":" + ClientIP(r) + ":" + strconv.FormatInt(bucket, 36)
			var hits uint64
			if raw, err := kv.Get(ctx, key); err == nil {
				hits, _ = strconv.ParseUint(strings.TrimSpace(string(raw)), 10, 64)
			}
			if hits >= cfg.Limit {
				w.Header().Set("Retry-After", strconv.Itoa(int(cfg.Bucket/time.Second)))
				http.Error(w, "slow down", http.StatusTooManyRequests)
				return
			}
			if err := kv.Put(ctx, key, strconv.AppendUint(nil, hits+1, 10), kvport.WithTTL(2*cfg.Bucket)); err != nil { // EXPECT kvcounter
				slog.Warn("throttle write failed", "err", err)
			}
			next.ServeHTTP(w, r)
		})
	}
}

// SessionResumer loads and extends a browser session.
type SessionResumer func(ctx context.Context, id string) (userID string, err error)

// SessionCookie is the cookie name for browser sessions.
const SessionCookie = "__Host-agw_sid"

// RequireSession rejects requests without a live session.
func RequireSession(resume SessionResumer) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c, err := r.Cookie(SessionCookie)
			if err != nil || c.Value == "" {
				http.Error(w, "sign in required", http.StatusUnauthorized)
				return
			}
			uid, err := resume(r.Context(), c.Value)
			if err != nil {
				http.Error(w, "sign in required", http.StatusUnauthorized)
				return
			}
			p := &Principal{UserID: uid, SessionID: c.Value}
			next.ServeHTTP(w, r.WithContext(WithPrincipal(r.Context(), p)))
		})
	}
}

// KeyCheck is everything the API key middleware needs, as plain functions so
// the wiring decides which implementation backs each step. K is the key
// record type of whatever registry is plugged in.
type KeyCheck[K any] struct {
	Verify    func(ctx context.Context, secret string) (K, error)
	Principal func(K) *Principal
	Allow     func(ctx context.Context, k K) (bool, error)
	Charge    func(ctx context.Context, k K) error
	Touch     func(ctx context.Context, k K) error // optional, best effort
}

// RequireAPIKey authenticates machine clients by bearer key.
func RequireAPIKey[K any](kc KeyCheck[K], log *slog.Logger) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			secret, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			if !ok {
				http.Error(w, "missing api key", http.StatusUnauthorized)
				return
			}
			ctx := r.Context()
			k, err := kc.Verify(ctx, secret)
			if err != nil {
				http.Error(w, "invalid api key", http.StatusUnauthorized)
				return
			}
			if ok, err := kc.Allow(ctx, k); err != nil || !ok {
				http.Error(w, "rate limited", http.StatusTooManyRequests)
				return
			}
			if err := kc.Charge(ctx, k); err != nil {
				http.Error(w, "quota exceeded", http.StatusPaymentRequired)
				return
			}
			if kc.Touch != nil {
				if err := kc.Touch(ctx, k); err != nil {
					log.Warn("api key touch failed", "err", err)
				}
			}
			next.ServeHTTP(w, r.WithContext(WithPrincipal(ctx, kc.Principal(k))))
		})
	}
}
