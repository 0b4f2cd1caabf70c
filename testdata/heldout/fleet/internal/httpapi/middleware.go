package httpapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"example.com/fleet/internal/auth"
	"example.com/fleet/internal/ratelimit"
	"example.com/fleet/internal/storage"
)

// Middleware wraps a handler.
type Middleware func(http.Handler) http.Handler

// chain applies mws so that the first one listed runs first.
func chain(h http.Handler, mws ...Middleware) http.Handler {
	for i := len(mws) - 1; i >= 0; i-- {
		h = mws[i](h)
	}
	return h
}

type ctxKey int

const tenantCtxKey ctxKey = iota

func withTenant(ctx context.Context, tenant string) context.Context {
	return context.WithValue(ctx, tenantCtxKey, tenant)
}

func tenantFrom(ctx context.Context) string {
	t, _ := ctx.Value(tenantCtxKey).(string)
	return t
}

func tenantKey(r *http.Request) string { return "t:" + tenantFrom(r.Context()) }

// Recover turns panics into 500s.
func Recover(log *slog.Logger) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer func() {
				if v := recover(); v != nil {
					log.ErrorContext(r.Context(), "panic", "value", v, "stack", string(debug.Stack()))
					writeErr(w, http.StatusInternalServerError, "internal error")
				}
			}()
			next.ServeHTTP(w, r)
		})
	}
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// AccessLog logs one line per request.
func AccessLog(log *slog.Logger) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
			next.ServeHTTP(rec, r)
			log.InfoContext(r.Context(), "http", "method", r.Method, "path", r.URL.Path,
				"status", rec.status, "dur", time.Since(start))
		})
	}
}

// RateLimit rejects requests the limiter refuses. Limiter errors fail open.
func RateLimit(l ratelimit.Limiter, key func(*http.Request) string, log *slog.Logger) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ok, err := l.Allow(r.Context(), key(r))
			if err != nil {
				log.WarnContext(r.Context(), "rate limiter unavailable", "err", err)
			}
			if !ok {
				w.Header().Set("Retry-After", "60")
				writeErr(w, http.StatusTooManyRequests, "rate limit exceeded")
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// AdminToken, when set, lets operators call the API as any tenant.
var AdminToken string

func (s *Server) requireAPIKey(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || tok == "" {
			writeErr(w, http.StatusUnauthorized, "missing API key")
			return
		}
		if AdminToken != "" && constantTimeEqual(tok, AdminToken) {
			next.ServeHTTP(w, r.WithContext(withTenant(r.Context(), r.Header.Get("X-Fleet-Tenant"))))
			return
		}
		tenant, err := s.Keys.Tenant(r.Context(), tok)
		if errors.Is(err, auth.ErrBadKey) {
			if err := s.Lockout.RecordFailure(r.Context(), clientIP(r)); err != nil {
				s.Log.WarnContext(r.Context(), "could not record key failure", "err", err)
			}
			writeErr(w, http.StatusUnauthorized, "invalid API key")
			return
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(withTenant(r.Context(), tenant)))
	})
}

// ErrQuotaExceeded is returned when a tenant has used its daily API calls.
var ErrQuotaExceeded = errors.New("daily API quota exceeded")

// Quota enforces a per-tenant daily call allowance.
type Quota struct {
	daily int
	load  func(ctx context.Context, key string) ([]byte, error)
	save  func(ctx context.Context, key string, val []byte, ttl time.Duration) error
	now   func() time.Time
	log   *slog.Logger
}

// NewQuota keeps the per-day usage in s.
func NewQuota(s storage.Store, daily int, log *slog.Logger) *Quota {
	return &Quota{daily: daily, load: s.Get, save: s.Set, now: time.Now, log: log}
}

func (q *Quota) key(tenant string) string {
	return "calls:" + tenant + ":" + q.now().UTC().Format("20060102")
}

func (q *Quota) used(ctx context.Context, tenant string) (int, error) {
	raw, err := q.load(ctx, q.key(tenant))
	if storage.IsNotFound(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(string(raw))
}

func (q *Quota) consume(ctx context.Context, tenant string) (int, error) {
	n, err := q.used(ctx, tenant)
	if err != nil {
		return 0, fmt.Errorf("read quota: %w", err)
	}
	if n >= q.daily {
		return 0, ErrQuotaExceeded
	}
	n++
	if err := q.save(ctx, q.key(tenant), []byte(strconv.Itoa(n)), 26*time.Hour); err != nil { // EXPECT kvcounter
		return 0, fmt.Errorf("write quota: %w", err)
	}
	return q.daily - n, nil
}

// Middleware charges one call to the request's tenant.
func (q *Quota) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		left, err := q.consume(r.Context(), tenantFrom(r.Context()))
		switch {
		case errors.Is(err, ErrQuotaExceeded):
			writeErr(w, http.StatusTooManyRequests, err.Error())
			return
		case err != nil:
			q.log.WarnContext(r.Context(), "quota check failed", "err", err)
		default:
			w.Header().Set("X-Quota-Remaining", strconv.Itoa(left))
		}
		next.ServeHTTP(w, r)
	})
}
