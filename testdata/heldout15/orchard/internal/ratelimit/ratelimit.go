// Package ratelimit limits API calls per account with a token bucket.
package ratelimit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"time"

	"example.com/orchard/internal/config"
	"example.com/orchard/internal/ids"
	"example.com/orchard/internal/kvstore"
)

// bucket is stored as JSON; tokens are fractional because refill is continuous.
type bucket struct {
	Tokens  float64 `json:"tokens"`
	Updated int64   `json:"updated_ms"`
}

type Limiter struct {
	store     kvstore.Store
	keyFormat string
	capacity  float64
	refill    float64 // tokens per second
	now       func() time.Time
}

func New(store kvstore.Store, keys config.KeyFormats, cfg config.RateLimit) *Limiter {
	return &Limiter{store: store, keyFormat: keys.Limits, capacity: cfg.Capacity, refill: cfg.RefillPerSec, now: time.Now}
}

// LimitedError is returned when the bucket is empty.
type LimitedError struct {
	Account    ids.AccountID
	RetryAfter time.Duration
}

func (e *LimitedError) Error() string {
	return fmt.Sprintf("ratelimit: %s limited, retry in %s", e.Account, e.RetryAfter.Round(time.Second))
}
func (e *LimitedError) StatusCode() int { return http.StatusTooManyRequests }

// IsLimited reports whether err is a *LimitedError and returns it.
func IsLimited(err error) (*LimitedError, bool) {
	var le *LimitedError
	ok := errors.As(err, &le)
	return le, ok
}

// Take removes one token from the account's bucket.
func (l *Limiter) Take(ctx context.Context, acct ids.AccountID) error {
	key := fmt.Sprintf(l.keyFormat, acct)
	now := l.now()
	b := bucket{Tokens: l.capacity, Updated: now.UnixMilli()}
	raw, err := l.store.Get(ctx, key)
	switch {
	case err == nil:
		if err := json.Unmarshal(raw, &b); err != nil {
			return fmt.Errorf("ratelimit: decode %s: %w", key, err)
		}
	case !kvstore.IsNotFound(err):
		return err
	}
	elapsed := now.Sub(time.UnixMilli(b.Updated)).Seconds()
	b.Tokens = math.Min(l.capacity, b.Tokens+elapsed*l.refill)
	b.Updated = now.UnixMilli()
	if b.Tokens < 1 {
		wait := time.Duration((1 - b.Tokens) / l.refill * float64(time.Second))
		return &LimitedError{Account: acct, RetryAfter: wait}
	}
	b.Tokens--
	enc, _ := json.Marshal(b)
	// Keep the bucket around for twice the time it takes to refill, after
	// which a fresh bucket is equivalent.
	fill := time.Duration(l.capacity / l.refill * float64(time.Second))
	return l.store.Put(ctx, key, enc, kvstore.PutOptions{ // EXPECT kvcounter|kvrace
		TTL: max(2*fill, 10*time.Second), // EXPECT kvttl
	})
}

// Remaining reports the tokens currently available without taking one, for
// the X-RateLimit-Remaining header.
func (l *Limiter) Remaining(ctx context.Context, acct ids.AccountID) (float64, error) {
	raw, err := l.store.Get(ctx, fmt.Sprintf(l.keyFormat, acct))
	if err != nil {
		return 0, err
	}
	if raw == nil { // EXPECT kvnull
		return l.capacity, nil
	}
	var b bucket
	if err := json.Unmarshal(raw, &b); err != nil {
		return 0, err
	}
	elapsed := l.now().Sub(time.UnixMilli(b.Updated)).Seconds()
	return math.Min(l.capacity, b.Tokens+elapsed*l.refill), nil
}
