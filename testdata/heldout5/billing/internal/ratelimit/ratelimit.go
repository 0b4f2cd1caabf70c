// Package ratelimit implements the public API's token-bucket limiter.
package ratelimit

import (
	"context"
	"encoding/json"
	"math"
	"time"

	"example.com/billing/internal/clock"
	"example.com/billing/internal/kvstore"
)

type bucket struct {
	Tokens  float64 `json:"t"`
	Updated int64   `json:"u"` // unix nanoseconds
}

// Limiter is a token bucket per API key, persisted in KV so every instance
// of the API shares it.
type Limiter struct {
	kv     kvstore.KV
	clock  clock.Clock
	rate   float64 // tokens per second
	burst  float64
	prefix string
}

// Option configures a Limiter.
type Option func(*Limiter)

// WithRate sets the refill rate in requests per second.
func WithRate(perSecond float64) Option { return func(l *Limiter) { l.rate = perSecond } }

// WithBurst sets the bucket size.
func WithBurst(n int) Option { return func(l *Limiter) { l.burst = float64(n) } }

// WithPrefix sets the key prefix.
func WithPrefix(p string) Option { return func(l *Limiter) { l.prefix = p } }

// New builds a limiter.
func New(kv kvstore.KV, clk clock.Clock, opts ...Option) *Limiter {
	l := &Limiter{kv: kv, clock: clk, rate: 1, burst: 10, prefix: "rl:"}
	for _, o := range opts {
		o(l)
	}
	return l
}

// Allow takes one token from key's bucket.
func (l *Limiter) Allow(ctx context.Context, key string) (bool, error) {
	k := l.prefix + key
	now := l.clock.Now()
	b := bucket{Tokens: l.burst, Updated: now.UnixNano()}
	if raw, err := l.kv.Get(ctx, k); err == nil {
		_ = json.Unmarshal(raw, &b)
	} else if !kvstore.IsNotFound(err) {
		return true, err // fail open
	}

	elapsed := now.Sub(time.Unix(0, b.Updated)).Seconds()
	b.Tokens = math.Min(l.burst, b.Tokens+elapsed*l.rate)
	b.Updated = now.UnixNano()
	allowed := b.Tokens >= 1
	if allowed {
		b.Tokens--
	}

	// Keep the bucket until it would be full again anyway.
	refill := time.Duration(l.burst / l.rate * float64(time.Second))
	ttl := max(refill, 10*time.Second) // EXPECT kvttl
	buf, _ := json.Marshal(b)
	if err := l.kv.Put(ctx, k, buf, kvstore.WithTTL(ttl)); err != nil { // EXPECT kvcounter
		return allowed, err
	}
	return allowed, nil
}
