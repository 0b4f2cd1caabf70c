// Package ratelimit provides HTTP rate limiting middleware.
package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"example.com/tickets/internal/domain"
)

// counterStore is the storage this package needs; the KV adapter satisfies it.
type counterStore interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Set(ctx context.Context, key string, val []byte, ttl time.Duration) error
}

// Allower decides whether a caller identified by key may proceed.
type Allower interface {
	Allow(ctx context.Context, key string) (bool, error)
}

type Option func(*Limiter)

func WithLimit(n int) Option             { return func(l *Limiter) { l.limit = n } }
func WithWindow(d time.Duration) Option  { return func(l *Limiter) { l.window = d } }
func WithPrefix(p string) Option         { return func(l *Limiter) { l.prefix = p } }
func WithLogger(log *slog.Logger) Option { return func(l *Limiter) { l.log = log } }

// Limiter is a fixed-window limiter keyed by caller.
type Limiter struct {
	store  counterStore
	limit  int
	window time.Duration
	prefix string
	log    *slog.Logger
	now    func() time.Time
}

func New(store counterStore, opts ...Option) *Limiter {
	l := &Limiter{
		store:  store,
		limit:  60,
		window: time.Minute,
		prefix: "rl:",
		log:    slog.Default(),
		now:    time.Now,
	}
	for _, o := range opts {
		o(l)
	}
	return l
}

func (l *Limiter) Allow(ctx context.Context, key string) (bool, error) {
	bucket := l.now().Unix() / int64(l.window/time.Second)
	k := fmt.Sprintf("%s%s:%d", l.prefix, key, bucket)

	hits := 0
	raw, err := l.store.Get(ctx, k)
	switch {
	case err == nil:
		if hits, err = strconv.Atoi(string(raw)); err != nil {
			l.log.WarnContext(ctx, "resetting unreadable rate bucket", "key", k, "raw", string(raw))
			hits = 0
		}
	case errors.Is(err, domain.ErrNotFound):
	default:
		return false, err
	}
	if hits >= l.limit {
		return false, nil
	}
	if err := l.store.Set(ctx, k, []byte(strconv.Itoa(hits+1)), l.window); err != nil { // EXPECT kvcounter
		return false, err
	}
	return true, nil
}

// KeyFunc picks the identity a request is limited by.
type KeyFunc func(*http.Request) string

// ClientIP keys by the connecting address Cloudflare reports.
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

// Middleware rejects requests over the limit with 429.
type Middleware struct {
	limiter Allower
	key     KeyFunc
	log     *slog.Logger
	// FailOpen lets traffic through when the limiter backend errors.
	FailOpen bool
}

func NewMiddleware(limiter Allower, key KeyFunc, log *slog.Logger) *Middleware {
	return &Middleware{limiter: limiter, key: key, log: log, FailOpen: true}
}

func (m *Middleware) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ok, err := m.limiter.Allow(r.Context(), m.key(r))
		if err != nil {
			m.log.ErrorContext(r.Context(), "rate limiter unavailable", "err", err)
			if !m.FailOpen {
				http.Error(w, "try again later", http.StatusServiceUnavailable)
				return
			}
			ok = true
		}
		if !ok {
			w.Header().Set("Retry-After", "60")
			http.Error(w, "too many requests", http.StatusTooManyRequests)
			return
		}
		next.ServeHTTP(w, r)
	})
}

var errLimiterStatus = errors.New("ratelimit: unexpected limiter response")
