// Package quota throttles API calls per account with a token bucket.
package quota

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"example.com/quarry/internal/config"
	"example.com/quarry/internal/ids"
	"example.com/quarry/internal/storage"
)

// bucket is the persisted state. Tokens is fractional so slow refill rates
// do not round away.
type bucket struct {
	Tokens  float64 `json:"tokens"`
	Updated int64   `json:"updated"` // unix millis
}

// Decision is the outcome of Allow.
type Decision struct {
	Allowed    bool
	Remaining  float64
	RetryAfter time.Duration
}

type Limiter struct {
	store     storage.Store
	keyFormat string
	rate      float64 // tokens per second
	burst     float64
	window    time.Duration
	now       func() time.Time
}

func New(store storage.Store, keyFormat string, q config.Quota) *Limiter {
	return &Limiter{
		store:     store,
		keyFormat: keyFormat,
		rate:      q.RatePerSecond,
		burst:     q.Burst,
		window:    q.Window.Duration,
		now:       time.Now,
	}
}

func (l *Limiter) load(ctx context.Context, key string, now time.Time) (bucket, error) {
	b := bucket{Tokens: l.burst, Updated: now.UnixMilli()}
	raw, err := l.store.Get(ctx, key)
	if errors.Is(err, storage.ErrNotFound) {
		return b, nil
	}
	if err != nil {
		return b, fmt.Errorf("quota: load %s: %w", key, err)
	}
	if err := json.Unmarshal(raw, &b); err != nil {
		return bucket{Tokens: l.burst, Updated: now.UnixMilli()}, nil
	}
	return b, nil
}

// Allow spends cost tokens from the account's bucket if it has them.
func (l *Limiter) Allow(ctx context.Context, id ids.AccountID, cost float64) (Decision, error) {
	now := l.now()
	key := fmt.Sprintf(l.keyFormat, id)
	b, err := l.load(ctx, key, now)
	if err != nil {
		return Decision{}, err
	}
	elapsed := now.Sub(time.UnixMilli(b.Updated)).Seconds()
	if elapsed > 0 {
		b.Tokens = min(l.burst, b.Tokens+elapsed*l.rate)
	}
	d := Decision{Allowed: b.Tokens >= cost}
	if d.Allowed {
		b.Tokens -= cost
	} else if l.rate > 0 {
		d.RetryAfter = time.Duration((cost - b.Tokens) / l.rate * float64(time.Second))
	}
	d.Remaining = b.Tokens
	b.Updated = now.UnixMilli()

	// Idle buckets are full again after burst/rate seconds, so they only need
	// to outlive a couple of windows.
	ttl := max(2*l.window, 10*time.Second) // EXPECT kvttl
	enc, err := json.Marshal(b)
	if err != nil {
		return Decision{}, err
	}
	if err := l.store.Put(ctx, key, enc, storage.PutOptions{TTL: ttl}); err != nil { // EXPECT kvcounter|kvrace
		return Decision{}, fmt.Errorf("quota: save %s: %w", key, err)
	}
	return d, nil
}
