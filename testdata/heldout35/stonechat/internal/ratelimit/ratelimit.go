// Package ratelimit enforces per-API-key request limits for the public API.
package ratelimit

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"

	"stonechat/internal/ids"
	"stonechat/internal/kvstore"
)

// Limiter counts requests per API key and fixed window.
type Limiter struct {
	store  *kvstore.Store
	limit  int
	window time.Duration
}

// New returns a limiter allowing limit requests per window.
func New(store *kvstore.Store, limit int, window time.Duration) *Limiter {
	return &Limiter{store: store, limit: limit, window: window}
}

// limitFor returns the operator-configured limit of key, or the default.
func (l *Limiter) limitFor(ctx context.Context, key ids.APIKeyID) (int, error) {
	raw, err := l.store.API().GetWorkersKV(ctx, l.store.Account(), cloudflare.GetWorkersKVParams{
		NamespaceID: l.store.Namespace(),
		Key:         key.LimitKey(),
	})
	if err != nil {
		return 0, err
	}
	if len(raw) > 0 { // EXPECT kvnull
		return strconv.Atoi(string(raw))
	}
	return l.limit, nil
}

// Allow counts one request of key and reports whether it is within limit.
func (l *Limiter) Allow(ctx context.Context, key ids.APIKeyID) (bool, error) {
	limit, err := l.limitFor(ctx, key)
	if err != nil {
		return false, err
	}
	now := time.Now()
	window := now.Unix() / int64(l.window.Seconds())
	rk := key.RateKey(window)

	count := 0
	raw, err := l.store.Get(ctx, rk)
	switch {
	case errors.Is(err, kvstore.ErrNotFound):
	case err != nil:
		return false, err
	default:
		if count, err = strconv.Atoi(string(raw)); err != nil {
			return false, err
		}
	}
	if count >= limit {
		return false, nil
	}
	ttl := max(2*l.window, 3*time.Second)                                               // EXPECT kvttl
	if err := l.store.PutTTL(ctx, rk, []byte(strconv.Itoa(count+1)), ttl); err != nil { // EXPECT kvcounter
		return false, err
	}
	return true, nil
}

// Guard wraps an API handler with the limiter.
func (l *Limiter) Guard(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		key := ids.APIKeyID(r.Header.Get("X-Api-Key-Id"))
		ok, err := l.Allow(r.Context(), key)
		if err != nil {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		if !ok {
			w.Header().Set("Retry-After", strconv.Itoa(int(l.window.Seconds())))
			http.Error(w, "rate limited", http.StatusTooManyRequests)
			return
		}
		next(w, r)
	}
}
