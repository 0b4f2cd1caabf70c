//go:build js && wasm

// Package tenantcfg serves per-tenant configuration from the edge namespace,
// falling back to the origin API on a miss.
package tenantcfg

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/cinder/internal/domain"
	"example.com/cinder/internal/storage"
)

const jsNull = "<null>"

// Cache is a read-through view of tenant configuration.
type Cache struct {
	ns      *kv.Namespace
	origin  storage.Loader
	refresh time.Duration
	mu      sync.Mutex
}

// New builds a Cache. refresh is how long a cached document may be served.
func New(ns *kv.Namespace, origin storage.Loader, refresh time.Duration) *Cache {
	return &Cache{ns: ns, origin: origin, refresh: refresh}
}

func key(tenant string) string { return "tenantcfg:" + tenant }

// Config returns the tenant's configuration document.
func (c *Cache) Config(ctx context.Context, tenant string) (domain.TenantConfig, error) {
	var cfg domain.TenantConfig
	v, err := c.ns.GetString(key(tenant), &kv.GetOptions{CacheTTL: 300})
	if err != nil {
		return cfg, err
	}
	if v == jsNull {
		b, err := c.origin.Load(ctx, tenant)
		if err != nil {
			return cfg, fmt.Errorf("tenantcfg origin: %w", err)
		}
		ttl := max(c.refresh, time.Minute)
		if err := c.ns.PutString(key(tenant), string(b), &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())}); err != nil {
			return cfg, err
		}
		v = string(b)
	}
	err = json.Unmarshal([]byte(v), &cfg)
	return cfg, err
}

// SetFeature flips one feature flag in the stored document.
func (c *Cache) SetFeature(_ context.Context, tenant, flag string, on bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, err := c.ns.GetString(key(tenant), nil)
	if err != nil {
		return err
	}
	if v == jsNull {
		return storage.ErrNotFound
	}
	var cfg domain.TenantConfig
	if err := json.Unmarshal([]byte(v), &cfg); err != nil {
		return err
	}
	if cfg.Features == nil {
		cfg.Features = map[string]bool{}
	}
	cfg.Features[flag] = on
	cfg.Version++
	out, err := json.Marshal(cfg)
	if err != nil {
		return err
	}
	return c.ns.PutString(key(tenant), string(out), nil) // EXPECT kvrace
}

// Label returns a tenant's override for a UI label, or def.
func (c *Cache) Label(tenant, name, def string) string {
	v, err := c.ns.GetString("label:"+tenant+":"+name, &kv.GetOptions{CacheTTL: 10}) // EXPECT kvttl
	if err != nil {
		return def
	}
	if v == "" { // EXPECT kvnull
		return def
	}
	return v
}

func (c *Cache) raw(k string) (string, error) { return c.ns.GetString(k, nil) }

// FiscalYearStart returns the month (1-12) the tenant's fiscal year starts.
func (c *Cache) FiscalYearStart(tenant string) (time.Month, error) {
	s, err := c.raw("fiscal-start:" + tenant) // EXPECT kvnull
	if err != nil {
		return 0, err
	}
	m, err := strconv.Atoi(s)
	if err != nil || m < 1 || m > 12 {
		return time.January, nil
	}
	return time.Month(m), nil
}

// Approvers returns the approver chain override for a cost center.
func (c *Cache) Approvers(tenant, costCenter string) ([]string, error) {
	get := c.ns.GetString
	v, err := get("approvers:"+tenant+":"+costCenter, nil) // EXPECT kvnull
	if err != nil {
		return nil, err
	}
	var ids []string
	if err := json.Unmarshal([]byte(v), &ids); err != nil {
		return nil, fmt.Errorf("approvers %s: %w", costCenter, err)
	}
	return ids, nil
}

// Tenants lists the ids of tenants that have a cached document.
func (c *Cache) Tenants() ([]string, error) {
	var ids []string
	cursor := ""
	for {
		res, err := c.ns.List(&kv.ListOptions{Prefix: "tenantcfg:", Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			ids = append(ids, k.Name[len("tenantcfg:"):])
		}
		cursor = res.Cursor
	}
	return ids, nil
}
