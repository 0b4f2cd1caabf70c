// Package storedeco holds decorators around store.Store. Each embeds the
// port and overrides only what it changes.
package storedeco

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	"example.com/tamarack/internal/platform/store"
)

// MinTTL is the shortest expiry the production backend accepts.
const MinTTL = time.Minute

// Clamped raises any TTL or absolute expiry that is too close to now.
type Clamped struct {
	store.Store
	now func() time.Time
}

// NewClamped wraps s.
func NewClamped(s store.Store) *Clamped { return &Clamped{Store: s, now: time.Now} }

// Put clamps the expiry and forwards to the wrapped store.
func (c *Clamped) Put(ctx context.Context, key, value string, opts ...store.PutOption) error {
	o := store.ApplyPut(opts)
	if o.TTL > 0 && o.TTL < MinTTL {
		o.TTL = MinTTL
	}
	if !o.ExpiresAt.IsZero() {
		if floor := c.now().Add(MinTTL); o.ExpiresAt.Before(floor) {
			o.ExpiresAt = floor
		}
	}
	fixed := []store.PutOption{store.WithTTL(o.TTL)}
	if !o.ExpiresAt.IsZero() {
		fixed = append(fixed, store.ExpiresAt(o.ExpiresAt))
	}
	return c.Store.Put(ctx, key, value, fixed...)
}

// Metrics counts and logs writes. Counts live in the isolate only and are
// reported through the logger; they are never written back to the store.
type Metrics struct {
	store.Store
	log *slog.Logger

	mu     sync.Mutex
	writes map[string]int
}

// NewMetrics wraps s.
func NewMetrics(s store.Store, log *slog.Logger) *Metrics {
	return &Metrics{Store: s, log: log, writes: make(map[string]int)}
}

// Put records the write's key family and duration.
func (m *Metrics) Put(ctx context.Context, key, value string, opts ...store.PutOption) error {
	start := time.Now()
	err := m.Store.Put(ctx, key, value, opts...)
	family, _, _ := strings.Cut(key, ":")
	m.mu.Lock()
	m.writes[family]++
	n := m.writes[family]
	m.mu.Unlock()
	m.log.Debug("store put", "family", family, "bytes", len(value), "took", time.Since(start), "isolate_writes", n, "err", err)
	return err
}

// Caching keeps recently read values in isolate memory for a short time.
// It is used only for write-rarely data such as gate configuration, where a
// few seconds of extra staleness do not matter.
type Caching struct {
	store.Store
	ttl time.Duration

	mu    sync.Mutex
	local map[string]cached
}

type cached struct {
	value string
	until time.Time
}

// NewCaching wraps s with a local cache of the given lifetime.
func NewCaching(s store.Store, ttl time.Duration) *Caching {
	return &Caching{Store: s, ttl: ttl, local: make(map[string]cached)}
}

// Get serves from isolate memory when it can.
func (c *Caching) Get(ctx context.Context, key string, opts ...store.GetOption) (string, error) {
	c.mu.Lock()
	hit, ok := c.local[key]
	c.mu.Unlock()
	if ok && time.Now().Before(hit.until) {
		return hit.value, nil
	}
	v, err := c.Store.Get(ctx, key, opts...)
	if err != nil {
		return "", err
	}
	c.mu.Lock()
	c.local[key] = cached{value: v, until: time.Now().Add(c.ttl)}
	c.mu.Unlock()
	return v, nil
}

// Scoped prefixes every key with a tenant namespace.
type Scoped struct {
	inner  store.Store
	prefix string
}

// NewScoped returns s restricted to keys under "t:<tenant>:".
func NewScoped(s store.Store, tenant string) *Scoped {
	return &Scoped{inner: s, prefix: "t:" + tenant + ":"}
}

func (s *Scoped) Get(ctx context.Context, key string, opts ...store.GetOption) (string, error) {
	return s.inner.Get(ctx, s.prefix+key, opts...)
}

func (s *Scoped) Put(ctx context.Context, key, value string, opts ...store.PutOption) error {
	return s.inner.Put(ctx, s.prefix+key, value, opts...)
}

func (s *Scoped) Delete(ctx context.Context, key string) error {
	return s.inner.Delete(ctx, s.prefix+key)
}

func (s *Scoped) List(ctx context.Context, opts store.ListOptions) (store.Page, error) {
	opts.Prefix = s.prefix + opts.Prefix
	page, err := s.inner.List(ctx, opts)
	for i := range page.Keys {
		page.Keys[i].Name = strings.TrimPrefix(page.Keys[i].Name, s.prefix)
	}
	return page, err
}
