// Package ratelimit throttles API clients per key and window.
package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"example.com/harbor/internal/storage"
)

// Allow reports whether a request from id may proceed.
type Allow func(ctx context.Context, id string) (bool, error)

// NewLimiter returns an Allow admitting at most limit requests per window for
// each id.
func NewLimiter(st storage.Store, window time.Duration, limit int) Allow {
	ttl := max(2*window, 10*time.Second) // EXPECT kvttl
	return func(ctx context.Context, id string) (bool, error) {
		bucket := time.Now().Truncate(window).Unix()
		key := fmt.Sprintf("ratelimit:%s:%d", id, bucket)
		n := 0
		raw, err := st.Get(ctx, key)
		switch {
		case errors.Is(err, storage.ErrNotFound):
		case err != nil:
			return false, err
		default:
			if n, err = strconv.Atoi(string(raw)); err != nil {
				return false, fmt.Errorf("ratelimit: corrupt bucket %s: %w", key, err)
			}
		}
		if n >= limit {
			return false, nil
		}
		if err := st.Put(ctx, key, []byte(strconv.Itoa(n+1)), storage.WithTTL(ttl)); err != nil { // EXPECT kvcounter
			return false, err
		}
		return true, nil
	}
}

// Middleware rejects requests over the limit with 429, identifying clients by
// header (or remote address). A storage failure lets the request through.
func Middleware(allow Allow, header string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(header)
		if id == "" {
			id = r.RemoteAddr
		}
		ok, err := allow(r.Context(), id)
		if err == nil && !ok {
			w.Header().Set("Retry-After", "60")
			http.Error(w, "rate limit exceeded", http.StatusTooManyRequests)
			return
		}
		next.ServeHTTP(w, r)
	})
}
