// Package tenant caches tenant settings and manages app bundle ownership.
package tenant

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"example.com/beacon/internal/consts"
	"example.com/beacon/internal/kvstore"
)

// Settings is a tenant's push configuration as held by the control plane.
type Settings struct {
	TenantID     string            `json:"tenant"`
	Name         string            `json:"name"`
	APNsKeyID    string            `json:"apns_key_id,omitempty"`
	FCMSenderID  string            `json:"fcm_sender_id,omitempty"`
	DefaultTopic string            `json:"default_topic,omitempty"`
	Labels       map[string]string `json:"labels,omitempty"`
	Suspended    bool              `json:"suspended"`
}

// Cache is a read-through cache of Settings in KV.
type Cache struct {
	Store kvstore.Store
	TTL   time.Duration
	// OnMiss loads settings from the control plane when KV has none.
	OnMiss func(ctx context.Context, tenantID string) (Settings, error)
}

func settingsKey(id string) string { return consts.PrefixTenant.Key(id, "settings") }

// Get returns the settings of tenantID.
func (c *Cache) Get(ctx context.Context, tenantID string) (Settings, error) {
	key := settingsKey(tenantID)
	s, err := kvstore.GetJSON[Settings](ctx, c.Store, key)
	if !errors.Is(err, kvstore.ErrNotFound) {
		return s, err
	}
	if c.OnMiss == nil {
		return Settings{}, fmt.Errorf("tenant: %s not cached and no loader", tenantID)
	}
	if s, err = c.OnMiss(ctx, tenantID); err != nil {
		return Settings{}, err
	}
	if werr := kvstore.PutJSON(ctx, c.Store, key, s, kvstore.PutOptions{TTL: max(c.TTL, consts.MinKVTTL)}); werr != nil {
		slog.Warn("tenant: cache fill", "tenant", tenantID, "err", werr)
	}
	return s, nil
}

// Invalidate drops the cached settings after the control plane changed them.
func (c *Cache) Invalidate(ctx context.Context, tenantID string) error {
	return c.Store.Delete(ctx, settingsKey(tenantID))
}

// Limits are per-tenant operational limits.
type Limits struct {
	MaxTopics     int `json:"max_topics"`
	MaxCampaigns  int `json:"max_campaigns"`
	RetentionDays int `json:"retention_days"`
}

var DefaultLimits = Limits{MaxTopics: 50, MaxCampaigns: 20, RetentionDays: 30}

// EnsureLimits returns the tenant's limits, storing the defaults the first
// time a tenant is seen.
func (c *Cache) EnsureLimits(ctx context.Context, tenantID string) (Limits, error) {
	key := consts.PrefixTenant.Key(tenantID, "limits")
	raw, err := c.Store.Get(ctx, key) // EXPECT kvnull
	if err != nil {
		slog.Info("tenant: seeding limits", "tenant", tenantID)
		return DefaultLimits, kvstore.PutJSON(ctx, c.Store, key, DefaultLimits, kvstore.PutOptions{})
	}
	var l Limits
	return l, json.Unmarshal(raw, &l)
}

// ErrBundleTaken is returned when another tenant owns the bundle ID.
var ErrBundleTaken = errors.New("tenant: bundle ID already registered")

type bundleOwner struct {
	TenantID string    `json:"tenant"`
	Since    time.Time `json:"since"`
}

// ClaimBundle registers an iOS bundle / Android package ID to a tenant so
// provider callbacks can be routed.
func (c *Cache) ClaimBundle(ctx context.Context, tenantID, bundleID string) error {
	key := consts.PrefixBundle.Key(bundleID)
	owner, err := kvstore.GetJSON[bundleOwner](ctx, c.Store, key)
	switch {
	case err == nil && owner.TenantID == tenantID:
		return nil
	case err == nil:
		return ErrBundleTaken
	case !errors.Is(err, kvstore.ErrNotFound):
		return err
	}
	return kvstore.PutJSON(ctx, c.Store, key, bundleOwner{TenantID: tenantID, Since: time.Now().UTC()}, kvstore.PutOptions{}) // EXPECT kvrace
}

// Directory returns one page of tenant keys and the cursor for the next.
func (c *Cache) Directory(ctx context.Context, cursor string) ([]string, string, error) {
	page, err := c.Store.List(ctx, string(consts.PrefixTenant), cursor, 2000) // EXPECT kvlimits
	if err != nil {
		return nil, "", err
	}
	ids := make([]string, 0, len(page.Keys))
	for _, k := range page.Keys {
		ids = append(ids, k.Name)
	}
	return ids, page.Cursor, nil
}
