// Package devices distributes configuration to devices and manages the
// credentials they use: pairing codes and bearer tokens.
package devices

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"github.com/whinchat/fleet/internal/catalog"
	"github.com/whinchat/fleet/internal/config"
	"github.com/whinchat/fleet/internal/kvstore"
)

// Bundle is the rendered configuration a device pulls on boot and after a
// config-changed push.
type Bundle struct {
	Tenant   string            `json:"tenant"`
	DeviceID string            `json:"device_id"`
	Revision int64             `json:"revision"`
	Settings map[string]string `json:"settings"`
	Rendered time.Time         `json:"rendered"`
}

// Manifest tells devices whether anything in their tenant changed since they
// last fetched.
type Manifest struct {
	Generation int64     `json:"generation"`
	Updated    time.Time `json:"updated"`
}

var builtinDefaults = map[string]string{
	"report_interval": "60s",
	"log_level":       "info",
	"ota_window":      "02:00-05:00",
}

// Configs serves device configuration out of the fleet namespace.
type Configs struct {
	desired  kvstore.Space // cfg/desired/<tenant>/<device>: operator edits, no expiry
	defaults kvstore.Space // cfg/defaults/<tenant>
	bundles  kvstore.Space // cfg/bundle/<tenant>/<device>: rendered, cached
	meta     kvstore.Space // cfg/meta
	fetch    kvstore.LoaderFunc
	manifest manifestCache
}

// NewConfigs wires the config service. render produces a bundle from the
// desired state when it is not cached.
func NewConfigs(root kvstore.Space, st config.Settings) *Configs {
	cfg := root.Scope(catalog.KindDeviceConfig.Prefix())
	c := &Configs{
		desired:  cfg.Scope("desired"),
		defaults: cfg.Scope("defaults"),
		bundles:  cfg.Scope("bundle"),
		meta:     cfg.Scope("meta"),
	}
	c.manifest = manifestCache{space: c.meta, maxAge: st.ManifestRefresh}
	c.fetch = kvstore.LoaderFunc(c.render).
		Through(c.bundles, st.ConfigCacheTTL).
		Or(kvstore.From(cfg.Scope("lastgood")))
	return c
}

// Fetch returns the bundle for a device, rendering and caching it on a miss.
func (c *Configs) Fetch(ctx context.Context, tenant, device string) ([]byte, error) {
	return c.fetch.Load(ctx, tenant+"/"+device)
}

// render builds a bundle from tenant defaults overlaid with the device's
// desired settings.
func (c *Configs) render(ctx context.Context, name string) ([]byte, error) {
	tenant, device, ok := strings.Cut(name, "/")
	if !ok {
		return nil, fmt.Errorf("bad bundle name %q", name)
	}
	desired, err := c.Desired(ctx, tenant, device)
	if err != nil {
		return nil, err
	}
	m, err := c.manifest.Get(ctx)
	if err != nil {
		return nil, err
	}
	return json.Marshal(Bundle{Tenant: tenant, DeviceID: device, Revision: m.Generation, Settings: desired, Rendered: time.Now()})
}

// Desired returns the settings an operator set for the device, or the tenant
// defaults when none were set.
func (c *Configs) Desired(ctx context.Context, tenant, device string) (map[string]string, error) {
	client, account, ns := c.desired.Client()
	res, err := client.KV.Namespaces.Values.Get(ctx, ns, c.desired.Scope(tenant).Key(device), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(account),
	})
	if err != nil {
		return nil, fmt.Errorf("desired config %s/%s: %w", tenant, device, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	if len(raw) == 0 { // EXPECT kvnull
		return c.TenantDefaults(ctx, tenant)
	}
	out := map[string]string{}
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// TenantDefaults returns the tenant's default settings, falling back to the
// built-in defaults.
func (c *Configs) TenantDefaults(ctx context.Context, tenant string) (map[string]string, error) {
	m, err := kvstore.Load[map[string]string](ctx, c.defaults, tenant)
	if errors.Is(err, kvstore.ErrNotFound) {
		return maps.Clone(builtinDefaults), nil
	}
	return m, err
}

// EnsureTenantDefaults seeds the built-in defaults for a tenant that has none.
// It runs when a tenant's first device pairs.
func (c *Configs) EnsureTenantDefaults(ctx context.Context, tenant string) error {
	if _, err := c.defaults.Get(ctx, tenant); err != nil { // EXPECT kvnull
		body, err := json.Marshal(builtinDefaults)
		if err != nil {
			return err
		}
		return c.defaults.Put(ctx, tenant, body, 0) // DEBATABLE kvrace
	}
	return nil
}

// Patch applies operator changes to a device's desired settings. An empty
// value removes the setting.
func (c *Configs) Patch(ctx context.Context, tenant, device string, changes map[string]string) error {
	space := c.desired.Scope(tenant)
	cur, err := kvstore.Load[map[string]string](ctx, space, device)
	if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	if cur == nil {
		cur = map[string]string{}
	}
	for _, k := range slices.Sorted(maps.Keys(changes)) {
		if v := changes[k]; v == "" {
			delete(cur, k)
		} else {
			cur[k] = v
		}
	}
	body, err := json.Marshal(cur)
	if err != nil {
		return err
	}
	if err := space.Put(ctx, device, body, 0); err != nil { // EXPECT kvrace
		return err
	}
	if err := c.bundles.Scope(tenant).Delete(ctx, device); err != nil {
		slog.WarnContext(ctx, "bundle invalidation failed", "tenant", tenant, "device", device, "err", err)
	}
	return c.bump(ctx)
}

// bump moves the manifest generation so that polling devices refetch.
func (c *Configs) bump(ctx context.Context) error {
	now := time.Now()
	body, err := json.Marshal(Manifest{Generation: now.UnixNano(), Updated: now})
	if err != nil {
		return err
	}
	return c.meta.Put(ctx, "manifest", body, 0) // EXPECT kvhotkey
}

// Manifest returns the current manifest, possibly slightly stale.
func (c *Configs) Manifest(ctx context.Context) (Manifest, error) { return c.manifest.Get(ctx) }

type manifestSnap struct {
	m  Manifest
	at time.Time
}

// manifestCache keeps the last manifest read and refreshes it in the
// background once it is older than maxAge.
type manifestCache struct {
	space      kvstore.Space
	maxAge     time.Duration
	snap       atomic.Pointer[manifestSnap]
	refreshing atomic.Bool
}

func (mc *manifestCache) Get(ctx context.Context) (Manifest, error) {
	s := mc.snap.Load()
	if s == nil {
		return mc.refresh(ctx)
	}
	if time.Since(s.at) > mc.maxAge && mc.refreshing.CompareAndSwap(false, true) {
		go func() {
			defer mc.refreshing.Store(false)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if _, err := mc.refresh(ctx); err != nil {
				slog.Warn("manifest refresh failed", "err", err)
			}
		}()
	}
	return s.m, nil
}

func (mc *manifestCache) refresh(ctx context.Context) (Manifest, error) {
	m, err := kvstore.Load[Manifest](ctx, mc.space, "manifest")
	if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return Manifest{}, err
	}
	mc.snap.Store(&manifestSnap{m: m, at: time.Now()})
	return m, nil
}
