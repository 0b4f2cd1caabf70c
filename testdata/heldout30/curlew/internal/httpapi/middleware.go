package httpapi

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"example.com/curlew/internal/courier"
	"example.com/curlew/internal/kv"
	"example.com/curlew/internal/partner"
)

type ctxKey int

const (
	courierKey ctxKey = iota
	partnerKey
	sessionKey
)

func courierFrom(ctx context.Context) string {
	s, _ := ctx.Value(courierKey).(string)
	return s
}

func sessionFrom(ctx context.Context) string {
	s, _ := ctx.Value(sessionKey).(string)
	return s
}

func partnerFrom(ctx context.Context) partner.KeyRecord {
	p, _ := ctx.Value(partnerKey).(partner.KeyRecord)
	return p
}

type middleware func(http.Handler) http.Handler

// courierAuth resolves the session cookie and records activity on it.
func courierAuth(sessions *courier.Sessions) middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c, err := r.Cookie("curlew_session")
			if err != nil {
				http.Error(w, "login required", http.StatusUnauthorized)
				return
			}
			sess, err := sessions.Lookup(r.Context(), c.Value)
			if errors.Is(err, courier.ErrNoSession) {
				http.Error(w, "login required", http.StatusUnauthorized)
				return
			}
			if err != nil {
				http.Error(w, "session store unavailable", http.StatusServiceUnavailable)
				return
			}
			if err := sessions.Touch(r.Context(), sess.ID); err != nil {
				slog.WarnContext(r.Context(), "session touch failed", "err", err)
			}
			ctx := context.WithValue(r.Context(), courierKey, sess.CourierID)
			ctx = context.WithValue(ctx, sessionKey, sess.ID)
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

// partnerAuth resolves the bearer API key.
func partnerAuth(keys *partner.Keys) middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			secret, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			if !ok {
				http.Error(w, "api key required", http.StatusUnauthorized)
				return
			}
			rec, err := keys.Authenticate(r.Context(), secret)
			switch {
			case errors.Is(err, partner.ErrUnauthorized):
				http.Error(w, "invalid api key", http.StatusUnauthorized)
				return
			case errors.Is(err, partner.ErrQuota):
				http.Error(w, "daily quota exceeded", http.StatusTooManyRequests)
				return
			case err != nil:
				http.Error(w, "key store unavailable", http.StatusServiceUnavailable)
				return
			}
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), partnerKey, rec)))
		})
	}
}

// windowCounter counts requests per client in the current minute.
type windowCounter struct {
	mu     sync.Mutex
	minute int64
	counts map[string]int
}

func (c *windowCounter) add(client string, now time.Time) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if m := now.Unix() / 60; m != c.minute {
		c.minute, c.counts = m, make(map[string]int)
	}
	c.counts[client]++
	return c.counts[client]
}

func clientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	return host
}

// rateLimit limits public endpoints per client IP. Each instance counts in
// memory and publishes its count so the edge worker can block early.
func rateLimit(store kv.Store, perMinute int) middleware {
	wc := &windowCounter{counts: make(map[string]int)}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ip := clientIP(r)
			n := wc.add(ip, time.Now())
			_ = store.Put(r.Context(), "ratelimit:"+ip, []byte(strconv.Itoa(n)), kv.WithTTL(2*time.Minute)) // EXPECT kvcounter
			if n > perMinute {
				w.Header().Set("Retry-After", "60")
				http.Error(w, "slow down", http.StatusTooManyRequests)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}
