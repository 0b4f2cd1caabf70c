package quota

import (
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"
)

// KeyFunc extracts the rate-limit key of a request; ok=false skips limiting.
type KeyFunc func(r *http.Request) (key string, ok bool)

// Middleware applies a Limiter to every request.
type Middleware struct {
	limiter  Limiter
	key      KeyFunc
	failOpen bool
	log      *slog.Logger
}

// MiddlewareOption configures a Middleware.
type MiddlewareOption func(*Middleware)

// KeyByHeader limits per value of the named header (e.g. X-Tenant-ID).
func KeyByHeader(name string) MiddlewareOption {
	return func(m *Middleware) {
		m.key = func(r *http.Request) (string, bool) {
			v := r.Header.Get(name)
			return v, v != ""
		}
	}
}

// KeyByClientIP limits per client address.
func KeyByClientIP() MiddlewareOption {
	return func(m *Middleware) {
		m.key = func(r *http.Request) (string, bool) {
			if ip := r.Header.Get("Cf-Connecting-Ip"); ip != "" {
				return ip, true
			}
			host, _, err := net.SplitHostPort(r.RemoteAddr)
			return host, err == nil
		}
	}
}

// FailOpen lets requests through when the limiter itself errors.
func FailOpen(v bool) MiddlewareOption { return func(m *Middleware) { m.failOpen = v } }

// WithMiddlewareLogger sets the logger.
func WithMiddlewareLogger(l *slog.Logger) MiddlewareOption { return func(m *Middleware) { m.log = l } }

// NewMiddleware builds the rate-limit middleware around l.
func NewMiddleware(l Limiter, opts ...MiddlewareOption) *Middleware {
	m := &Middleware{limiter: l, log: slog.Default()}
	KeyByClientIP()(m)
	for _, o := range opts {
		o(m)
	}
	return m
}

// Handler wraps next.
func (m *Middleware) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key, ok := m.key(r)
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		d, err := m.limiter.Allow(r.Context(), key)
		if err != nil {
			m.log.ErrorContext(r.Context(), "rate limiter failed", "key", key, "err", err)
			if m.failOpen {
				next.ServeHTTP(w, r)
				return
			}
			http.Error(w, "rate limiter unavailable", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("RateLimit-Limit", strconv.Itoa(d.Limit))
		w.Header().Set("RateLimit-Remaining", strconv.Itoa(d.Remaining))
		if !d.Allowed {
			retry := max(1, int(time.Until(d.ResetAt).Seconds()))
			w.Header().Set("Retry-After", strconv.Itoa(retry))
			http.Error(w, "rate limit exceeded", http.StatusTooManyRequests)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// Chain applies middlewares so that the first one listed runs outermost.
func Chain(h http.Handler, mws ...func(http.Handler) http.Handler) http.Handler {
	for i := len(mws) - 1; i >= 0; i-- {
		h = mws[i](h)
	}
	return h
}
