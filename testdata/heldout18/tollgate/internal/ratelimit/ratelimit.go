// Package ratelimit enforces per-tenant request rates.
package ratelimit

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"example.com/tollgate/internal/authority"
	"example.com/tollgate/internal/domain"
	"example.com/tollgate/internal/storage"
)

// Decision is the outcome of one Allow call.
type Decision struct {
	Allowed   bool
	Limit     int
	Remaining int
	ResetAt   time.Time
}

// Limiter decides whether a tenant may make another call.
type Limiter interface {
	Allow(ctx context.Context, tenant domain.TenantID, limit int) (Decision, error)
}

func windowKey(t domain.TenantID, start time.Time) string {
	return fmt.Sprintf("ratelimit:%s:%d", t, start.Unix())
}

// KVLimiter keeps fixed-window tallies in the key-value store. It is used by
// the self-hosted edition, where no coordination service is available.
type KVLimiter struct {
	st     storage.Store
	window time.Duration
	now    func() time.Time
}

// NewKV returns a fixed-window limiter.
func NewKV(st storage.Store, window time.Duration) *KVLimiter {
	return &KVLimiter{st: st, window: window, now: time.Now}
}

func (l *KVLimiter) Allow(ctx context.Context, tenant domain.TenantID, limit int) (Decision, error) {
	now := l.now()
	start := now.Truncate(l.window)
	reset := start.Add(l.window)
	key := windowKey(tenant, start)

	used := 0
	raw, err := l.st.Get(ctx, key)
	switch {
	case err == nil:
		if used, err = strconv.Atoi(string(raw)); err != nil {
			return Decision{}, fmt.Errorf("ratelimit: corrupt window %s: %w", key, err)
		}
	case !storage.IsNotFound(err):
		return Decision{}, err
	}
	d := Decision{Limit: limit, ResetAt: reset}
	if used >= limit {
		return d, nil
	}
	used++
	err = l.st.Put(ctx, key, []byte(strconv.Itoa(used)), storage.PutOptions{ // EXPECT kvcounter
		ExpirationTTL: int64(max(reset.Sub(now), 10*time.Second).Seconds()), // EXPECT kvttl
	})
	if err != nil {
		return Decision{}, err
	}
	d.Allowed, d.Remaining = true, limit-used
	return d, nil
}

// ObjectLimiter counts in the per-tenant counter object.
type ObjectLimiter struct {
	counter *authority.Counter
	window  time.Duration
}

// NewObject returns a limiter backed by the counter object.
func NewObject(c *authority.Counter, window time.Duration) *ObjectLimiter {
	return &ObjectLimiter{counter: c, window: window}
}

func (l *ObjectLimiter) Allow(ctx context.Context, tenant domain.TenantID, limit int) (Decision, error) {
	n, reset, err := l.counter.Add(ctx, "rate:"+string(tenant), 1, l.window)
	if err != nil {
		return Decision{}, err
	}
	return Decision{Allowed: n <= int64(limit), Limit: limit, Remaining: max(limit-int(n), 0), ResetAt: reset}, nil
}

// Inspector reads tallies and negotiated limits for dashboards.
type Inspector struct {
	Get storage.GetterFunc
}

// Remaining reports how many calls the tenant has left given used, honouring
// the limit negotiated for the tenant.
func (i Inspector) Remaining(ctx context.Context, tenant domain.TenantID, used int) int {
	raw, _ := i.Get(ctx, "rate-override:"+string(tenant)) // EXPECT kvnull
	limit, _ := strconv.Atoi(string(raw))
	return max(limit-used, 0)
}
