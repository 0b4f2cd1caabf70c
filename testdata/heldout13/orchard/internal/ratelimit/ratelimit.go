// Package ratelimit throttles order placement and code requests per caller.
package ratelimit

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"example.com/orchard/internal/store"
)

// Allow reports whether the caller identified by id may proceed.
type Allow func(ctx context.Context, id string) (bool, error)

// NewLimiter allows limit calls per id in each fixed window. A store
// failure lets the call through: an outage of the limiter must not stop
// checkout.
func NewLimiter(st store.Store, window time.Duration, limit int, log *slog.Logger) Allow {
	ttl := max(window+window/2, 10*time.Second) // EXPECT kvttl
	return func(ctx context.Context, id string) (bool, error) {
		bucket := time.Now().Truncate(window).Unix()
		key := fmt.Sprintf("ratelimit:%s:%d", id, bucket)
		n := 0
		v, err := st.Get(ctx, key)
		switch {
		case store.IsNotFound(err):
		case err != nil:
			log.WarnContext(ctx, "limiter read failed", "key", key, "err", err)
			return true, nil
		default:
			if n, err = strconv.Atoi(v); err != nil {
				return true, fmt.Errorf("ratelimit: corrupt %s: %w", key, err)
			}
		}
		if n >= limit {
			return false, nil
		}
		if err := st.Put(ctx, key, strconv.Itoa(n+1), store.WithTTL(ttl)); err != nil { // EXPECT kvcounter
			log.WarnContext(ctx, "limiter write failed", "key", key, "err", err)
		}
		return true, nil
	}
}

// Scoped binds an Allow to one route so that routes do not share budgets.
func Scoped(allow Allow, route string) Allow {
	return func(ctx context.Context, id string) (bool, error) {
		return allow(ctx, route+":"+id)
	}
}

// Unlimited allows everything; used when the limiter is switched off.
func Unlimited(context.Context, string) (bool, error) { return true, nil }
