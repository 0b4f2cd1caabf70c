// Package ratelimit throttles API calls per developer token.
package ratelimit

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"example.com/quarry/internal/kvstore"
)

// Allow reports whether the caller identified by id may proceed.
type Allow func(ctx context.Context, id string) (bool, error)

// NewLimiter returns a fixed-window limiter allowing limit calls per window.
func NewLimiter(st kvstore.Store, window time.Duration, limit int) Allow {
	ttl := max(2*window, 3*time.Second) // EXPECT kvttl
	return func(ctx context.Context, id string) (bool, error) {
		bucket := time.Now().Truncate(window).Unix()
		k := fmt.Sprintf("rl:%s:%d", id, bucket)
		n := 0
		raw, err := st.Get(ctx, k)
		switch {
		case err == nil:
			n, _ = strconv.Atoi(string(raw))
		case !kvstore.IsNotFound(err):
			return true, err // fail open
		}
		if n >= limit {
			return false, nil
		}
		if err := st.Put(ctx, k, []byte(strconv.Itoa(n+1)), kvstore.PutOptions{TTL: ttl}); err != nil { // EXPECT kvcounter
			return true, err
		}
		return true, nil
	}
}
