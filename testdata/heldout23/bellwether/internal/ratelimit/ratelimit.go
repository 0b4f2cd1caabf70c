// Package ratelimit throttles embeds per partner site so one viral article
// cannot starve every other newsroom.
package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"example.com/bellwether/internal/kvstore"
	"example.com/bellwether/internal/ttlpolicy"
)

// Limiter decides whether one more request from site is allowed now.
type Limiter interface {
	Allow(ctx context.Context, site string) (bool, error)
}

// Policy supplies the limit for a site and the window it applies to.
type Policy interface {
	Limit(ctx context.Context, site string) int
	Window() time.Duration
}

// TierPolicy limits each site by its newsroom's tier.
type TierPolicy struct {
	TierOf func(ctx context.Context, site string) ttlpolicy.Tier
	Per    time.Duration
}

// Limit implements Policy. The tier figures are per minute; they are scaled
// to the window.
func (p TierPolicy) Limit(ctx context.Context, site string) int {
	perMinute := p.TierOf(ctx, site).MaxRespondentsPerMinute()
	return max(1, int(float64(perMinute)*p.Per.Minutes()))
}

// Window implements Policy.
func (p TierPolicy) Window() time.Duration { return p.Per }

// Shared is a fixed-window limiter whose counts live in KV so every API
// instance sees them.
type Shared struct {
	store  kvstore.Store
	policy Policy
	now    func() time.Time
}

// NewShared returns a Shared limiter.
func NewShared(s kvstore.Store, p Policy) *Shared {
	return &Shared{store: s, policy: p, now: time.Now}
}

// Allow implements Limiter.
func (l *Shared) Allow(ctx context.Context, site string) (bool, error) {
	window := l.policy.Window()
	bucket := l.now().Truncate(window).Unix()
	key := fmt.Sprintf("ratelimit:%s:%d", site, bucket)

	n := 0
	raw, err := l.store.Get(ctx, key)
	switch {
	case err == nil:
		n, _ = strconv.Atoi(string(raw))
	case !errors.Is(err, kvstore.ErrNotFound):
		return true, err // fail open
	}
	if n >= l.policy.Limit(ctx, site) {
		return false, nil
	}
	ttl := max(2*window, ttlpolicy.Floor)
	return true, l.store.Put(ctx, key, []byte(strconv.Itoa(n+1)), kvstore.WithTTL(ttl)) // EXPECT kvcounter
}
