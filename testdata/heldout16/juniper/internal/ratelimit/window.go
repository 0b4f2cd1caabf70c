// Package ratelimit enforces request windows for partner API keys and the
// monthly booking quota of each venue's plan.
package ratelimit

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"example.com/juniper/internal/cfapi"
	"example.com/juniper/internal/records"
)

// Limiter allows max requests per API key per window.
type Limiter struct {
	ns     cfapi.Namespace
	window time.Duration
	max    int
	now    func() time.Time
}

// NewLimiter configures a fixed-window limiter.
func NewLimiter(ns cfapi.Namespace, window time.Duration, max int) *Limiter {
	return &Limiter{ns: ns, window: window, max: max, now: time.Now}
}

func (l *Limiter) windowKey(apiKey string) string {
	start := l.now().Truncate(l.window).Unix()
	return records.Hash("ratelimit/", apiKey) + "/" + strconv.FormatInt(start, 10)
}

// Allow records one request for apiKey and reports whether it is within the
// window's budget, and how many requests remain.
func (l *Limiter) Allow(ctx context.Context, apiKey string) (bool, int, error) {
	key := url.PathEscape(l.windowKey(apiKey))
	count := 0
	res, err := l.ns.Client.KV.Namespaces.Values.Get(ctx, l.ns.ID, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(l.ns.AccountID),
	})
	switch {
	case cfapi.IsNotFound(err):
	case err != nil:
		return false, 0, err
	default:
		body, rerr := io.ReadAll(res.Body)
		res.Body.Close()
		if rerr != nil {
			return false, 0, rerr
		}
		if count, err = strconv.Atoi(string(body)); err != nil {
			return false, 0, fmt.Errorf("ratelimit: corrupt window %q: %w", body, err)
		}
	}
	if count >= l.max {
		return false, 0, nil
	}
	count++
	// Keep the window key around a little longer than the window itself,
	// never below the KV minimum.
	ttl := max(int((2 * l.window).Seconds()), 60)
	_, err = l.ns.Client.KV.Namespaces.Values.Update(ctx, l.ns.ID, key, kv.NamespaceValueUpdateParams{ // EXPECT kvcounter
		AccountID:     cloudflare.F(l.ns.AccountID),
		Value:         cloudflare.F(strconv.Itoa(count)),
		ExpirationTTL: cloudflare.F(float64(ttl)),
	})
	if err != nil {
		return false, 0, err
	}
	return true, l.max - count, nil
}

// Middleware rejects partner requests over their window budget.
func (l *Limiter) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		apiKey := r.Header.Get("X-Juniper-Key")
		if apiKey == "" {
			http.Error(w, "missing API key", http.StatusUnauthorized)
			return
		}
		ok, remaining, err := l.Allow(r.Context(), apiKey)
		if err != nil {
			// Fail open: a KV hiccup should not take partner bookings down.
			slog.WarnContext(r.Context(), "rate limiter unavailable", "err", err)
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
		if !ok {
			w.Header().Set("Retry-After", strconv.Itoa(int(l.window.Seconds())))
			http.Error(w, "rate limit exceeded", http.StatusTooManyRequests)
			return
		}
		next.ServeHTTP(w, r)
	})
}
