package rollout

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"example.com/edgeconf/internal/storage"
)

// snapshotSchema is bumped whenever the Snapshot wire format changes; older
// cached snapshots are rebuilt instead of decoded.
const snapshotSchema = 3

// minCacheTTL is the shortest expiry KV accepts.
const minCacheTTL = time.Minute

// CompiledFlag is the edge's view of one flag.
type CompiledFlag struct {
	On      bool     `json:"on"`
	Percent int      `json:"pct"`
	Targets []string `json:"targets,omitempty"`
	Forced  *bool    `json:"forced,omitempty"`
}

// Snapshot is everything a Worker needs to evaluate a tenant's flags.
type Snapshot struct {
	Schema   int                     `json:"schema"`
	TenantID string                  `json:"tenant_id"`
	BuiltAt  time.Time               `json:"built_at"`
	Flags    map[string]CompiledFlag `json:"flags"`
}

// Loader builds a snapshot from the source of truth.
type Loader func(ctx context.Context, tenantID string) (*Snapshot, error)

// ConfigCache is a read-through cache of compiled snapshots in KV.
type ConfigCache struct {
	store      storage.Store
	load       Loader
	ttl        time.Duration
	staleAfter time.Duration
	log        *slog.Logger
}

// CacheOption configures a ConfigCache.
type CacheOption func(*ConfigCache)

// WithCacheTTL sets how long snapshots live in KV. Values under a minute are
// raised to a minute.
func WithCacheTTL(d time.Duration) CacheOption { return func(c *ConfigCache) { c.ttl = d } }

// WithStaleAfter makes Get rebuild snapshots older than d even if KV still
// has them.
func WithStaleAfter(d time.Duration) CacheOption { return func(c *ConfigCache) { c.staleAfter = d } }

// WithCacheLogger sets the cache logger.
func WithCacheLogger(l *slog.Logger) CacheOption { return func(c *ConfigCache) { c.log = l } }

// NewConfigCache returns a cache that fills itself from load.
func NewConfigCache(store storage.Store, load Loader, opts ...CacheOption) *ConfigCache {
	c := &ConfigCache{store: store, load: load, ttl: 5 * time.Minute, log: slog.Default()}
	for _, o := range opts {
		o(c)
	}
	if c.ttl < minCacheTTL {
		c.log.Warn("snapshot cache ttl below KV minimum, raising", "requested", c.ttl, "used", minCacheTTL)
		c.ttl = minCacheTTL
	}
	return c
}

func snapshotKey(tenantID string) string { return "snapshot:" + tenantID }

// Get returns the tenant's snapshot, building and caching it on a miss.
func (c *ConfigCache) Get(ctx context.Context, tenantID string) (*Snapshot, error) {
	raw, err := c.store.Get(ctx, snapshotKey(tenantID))
	switch {
	case err == nil:
		var snap Snapshot
		if jerr := json.Unmarshal(raw, &snap); jerr != nil {
			c.log.WarnContext(ctx, "dropping undecodable snapshot", "tenant", tenantID, "err", jerr)
			break
		}
		if snap.Schema != snapshotSchema {
			break
		}
		if c.staleAfter > 0 && time.Since(snap.BuiltAt) > c.staleAfter {
			break
		}
		return &snap, nil
	case !storage.IsNotFound(err):
		c.log.WarnContext(ctx, "snapshot cache read failed", "tenant", tenantID, "err", err)
	}
	return c.Refresh(ctx, tenantID)
}

// Refresh rebuilds the snapshot from the loader and writes it to KV.
func (c *ConfigCache) Refresh(ctx context.Context, tenantID string) (*Snapshot, error) {
	snap, err := c.load(ctx, tenantID)
	if err != nil {
		return nil, fmt.Errorf("rollout: build snapshot for %s: %w", tenantID, err)
	}
	snap.Schema = snapshotSchema
	snap.TenantID = tenantID
	snap.BuiltAt = time.Now().UTC()
	buf, err := json.Marshal(snap)
	if err != nil {
		return nil, err
	}
	if err := c.store.Set(ctx, snapshotKey(tenantID), buf, c.ttl); err != nil {
		c.log.WarnContext(ctx, "snapshot cache fill failed", "tenant", tenantID, "err", err)
	}
	return snap, nil
}

// Invalidate drops the cached snapshot so the next Get rebuilds it.
func (c *ConfigCache) Invalidate(ctx context.Context, tenantID string) error {
	return c.store.Delete(ctx, snapshotKey(tenantID))
}

// Compile is the Loader backed by the flag service.
func (s *Service) Compile(ctx context.Context, tenantID string) (*Snapshot, error) {
	flags, err := s.List(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(flags))
	for _, f := range flags {
		keys = append(keys, f.Key)
	}
	sort.Strings(keys)
	overrides, err := s.ActiveOverrides(ctx, tenantID, keys)
	if err != nil {
		return nil, err
	}
	snap := &Snapshot{Flags: make(map[string]CompiledFlag, len(flags))}
	for _, f := range flags {
		cf := CompiledFlag{On: f.Enabled, Percent: f.Rollout, Targets: f.Targets}
		if o, ok := overrides[f.Key]; ok {
			v := o.Value
			cf.Forced = &v
		}
		snap.Flags[f.Key] = cf
	}
	return snap, nil
}
