// Package ratelimit enforces request budgets per client IP and per
// organiser account.
package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"example.com/boxoffice/internal/httpx"
	"example.com/boxoffice/internal/kvops"
)

// LimitError is returned when a caller is over budget.
type LimitError struct {
	Scope      string
	Limit      int
	RetryAfter time.Duration
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("ratelimit: %s over %d requests", e.Scope, e.Limit)
}

// Respond turns a *LimitError anywhere in err's chain into a 429 with a
// Retry-After header; other errors pass through unchanged.
func Respond(next httpx.Handler) httpx.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		err := next(w, r)
		var le *LimitError
		if errors.As(err, &le) {
			w.Header().Set("Retry-After", strconv.Itoa(int(le.RetryAfter.Seconds())))
			return httpx.Wrap(http.StatusTooManyRequests, "slow down", err)
		}
		return err
	}
}

// hourBucket names the current hour for per-account budgets.
func hourBucket(now time.Time) string { return now.UTC().Format("2006010215") }

// PerAccount limits each organiser account to limit mutating requests per
// hour. Requests without an account pass through.
func PerAccount(ops kvops.Ops, limit, ttlSeconds int) httpx.Middleware {
	return func(next httpx.Handler) httpx.Handler {
		return func(w http.ResponseWriter, r *http.Request) error {
			org, ok := httpx.Account(r.Context())
			if !ok || r.Method == http.MethodGet {
				return next(w, r)
			}
			if err := charge(r.Context(), ops, org, limit, ttlSeconds, time.Now()); err != nil {
				return err
			}
			return next(w, r)
		}
	}
}

func charge(ctx context.Context, ops kvops.Ops, org string, limit, ttlSeconds int, now time.Time) error {
	key := "ratelimit/account/" + org + "/" + hourBucket(now)
	raw, err := ops.Get(ctx, key)
	if err != nil {
		return err
	}
	var n int
	if raw == "" { // EXPECT kvnull
		n = 0
	} else if n, err = strconv.Atoi(raw); err != nil {
		return fmt.Errorf("ratelimit: counter %s: %w", key, err)
	}
	if n >= limit {
		next := now.Truncate(time.Hour).Add(time.Hour)
		return &LimitError{Scope: "account " + org, Limit: limit, RetryAfter: next.Sub(now)}
	}
	return ops.Put(ctx, key, strconv.Itoa(n+1), ttlSeconds) // EXPECT kvcounter
}
