// Package plancache is a read-through KV cache in front of the plan
// catalogue service. Plans change a few times a year; the catalogue API is
// slow and rate limited.
package plancache

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"example.com/billing/internal/kvstore"
	"example.com/billing/internal/quota"
)

const missMarker = "-"

// Cache implements quota.PlanSource.
type Cache struct {
	next        quota.PlanSource
	kv          kvstore.KV
	ttl         time.Duration
	negativeTTL time.Duration
	prefix      string
}

// Option configures the cache.
type Option func(*Cache)

// WithTTL sets the lifetime of cached plans.
func WithTTL(d time.Duration) Option { return func(c *Cache) { c.ttl = d } }

// WithNegativeTTL sets how long an unknown plan ID is remembered.
func WithNegativeTTL(d time.Duration) Option { return func(c *Cache) { c.negativeTTL = d } }

// WithPrefix sets the key prefix.
func WithPrefix(p string) Option { return func(c *Cache) { c.prefix = p } }

// New decorates next.
func New(next quota.PlanSource, kv kvstore.KV, opts ...Option) *Cache {
	c := &Cache{next: next, kv: kv, ttl: 10 * time.Minute, negativeTTL: 2 * time.Minute, prefix: "plan:"}
	for _, o := range opts {
		o(c)
	}
	return c
}

// Plan implements quota.PlanSource.
func (c *Cache) Plan(ctx context.Context, id string) (quota.Plan, error) {
	key := c.prefix + id
	if raw, err := c.kv.Get(ctx, key); err == nil {
		if string(raw) == missMarker {
			return quota.Plan{}, quota.ErrUnknownPlan
		}
		var p quota.Plan
		if json.Unmarshal(raw, &p) == nil {
			return p, nil
		}
	} else if !kvstore.IsNotFound(err) {
		return quota.Plan{}, err
	}

	p, err := c.next.Plan(ctx, id)
	if errors.Is(err, quota.ErrUnknownPlan) {
		_ = c.kv.Put(ctx, key, []byte(missMarker), kvstore.WithTTL(c.negativeTTL))
		return quota.Plan{}, err
	}
	if err != nil {
		return quota.Plan{}, err
	}
	if buf, err := json.Marshal(p); err == nil {
		_ = c.kv.Put(ctx, key, buf, kvstore.WithTTL(c.ttl))
	}
	return p, nil
}

// Invalidate drops a cached plan after the catalogue changed.
func (c *Cache) Invalidate(ctx context.Context, id string) error {
	return c.kv.Delete(ctx, c.prefix+id)
}
