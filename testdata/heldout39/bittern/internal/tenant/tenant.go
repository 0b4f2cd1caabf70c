// Package tenant stores per-tenant configuration.
package tenant

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path"
	"strings"
	"time"

	"bittern/internal/keys"
	"bittern/internal/kvstore"
)

// Config is the configuration of one tenant.
type Config struct {
	Tenant          string          `json:"tenant"`
	Name            string          `json:"name"`
	Slug            string          `json:"slug"`
	FirmwareChannel string          `json:"firmware_channel"`
	Features        map[string]bool `json:"features"`
	UpdatedAt       time.Time       `json:"updated_at"`
	UpdatedBy       string          `json:"updated_by"`
}

// SlugTakenError is returned when another tenant owns a slug.
type SlugTakenError struct{ Slug, Owner string }

func (e *SlugTakenError) Error() string {
	return fmt.Sprintf("slug %q is taken by %s", e.Slug, e.Owner)
}

// Service reads and writes tenant configuration. Reads go through an
// in-process cache; writes go straight to KV and drop the local copy.
type Service struct {
	prod    func(tenant string) kvstore.Namespace
	staging func(tenant string) kvstore.Namespace
	global  kvstore.Namespace
	cache   *kvstore.Cache
	billing string
	hc      *http.Client
}

// NewService returns a tenant service.
func NewService(prod, staging func(string) kvstore.Namespace, global kvstore.Namespace, billingURL string) *Service {
	s := &Service{prod: prod, staging: staging, global: global, billing: billingURL, hc: &http.Client{Timeout: 5 * time.Second}}
	s.cache = kvstore.NewCache(func(t string) kvstore.Reader { return prod(t) }, 20*time.Second)
	return s
}

func configKey(tenant string) string { return keys.TenantConfig.Key(tenant, "config") }

func defaults(tenant string) Config {
	return Config{Tenant: tenant, FirmwareChannel: "stable", Features: map[string]bool{}}
}

// Get returns the configuration of tenant.
func (s *Service) Get(ctx context.Context, tenant string) (Config, error) {
	raw, err := s.cache.Get(ctx, tenant, configKey(tenant))
	if err != nil {
		return Config{}, fmt.Errorf("tenant %s: %w", tenant, err)
	}
	var c Config
	if err := json.Unmarshal(raw, &c); err != nil {
		return Config{}, fmt.Errorf("tenant %s: decode: %w", tenant, err)
	}
	return c, nil
}

// Replace stores c as the whole configuration of its tenant.
func (s *Service) Replace(ctx context.Context, c Config, actor string) error {
	c.UpdatedAt, c.UpdatedBy = time.Now().UTC(), actor
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	if err := s.prod(c.Tenant).Put(ctx, configKey(c.Tenant), b, 0); err != nil {
		return fmt.Errorf("tenant %s: %w", c.Tenant, err)
	}
	s.cache.Forget(c.Tenant, configKey(c.Tenant))
	return nil
}

// EnsureDefaults writes a default configuration for a newly created tenant.
func (s *Service) EnsureDefaults(ctx context.Context, tenant string) error {
	ns := s.prod(tenant)
	if _, err := ns.Get(ctx, configKey(tenant)); err == nil { // EXPECT kvnull
		return nil
	}
	b, _ := json.Marshal(defaults(tenant))
	return ns.Put(ctx, configKey(tenant), b, 0) // DEBATABLE kvrace
}

// SetFeature turns one feature flag of tenant on or off.
func (s *Service) SetFeature(ctx context.Context, tenant, flag string, on bool, actor string) error {
	ns := s.prod(tenant)
	raw, err := ns.Get(ctx, configKey(tenant))
	if err != nil {
		return fmt.Errorf("feature %s: %w", flag, err)
	}
	var c Config
	if err := json.Unmarshal(raw, &c); err != nil {
		return fmt.Errorf("feature %s: %w", flag, err)
	}
	if c.Features == nil {
		c.Features = make(map[string]bool)
	}
	c.Features[flag] = on
	c.UpdatedAt, c.UpdatedBy = time.Now().UTC(), actor
	b, _ := json.Marshal(c)
	if err := ns.Put(ctx, configKey(tenant), b, 0); err != nil { // EXPECT kvrace
		return fmt.Errorf("feature %s: %w", flag, err)
	}
	s.cache.Forget(tenant, configKey(tenant))
	return nil
}

// SetFeatures applies several flag changes from the console's settings page.
func (s *Service) SetFeatures(ctx context.Context, tenant string, flags map[string]bool, actor string) error {
	for flag, on := range flags {
		if err := s.SetFeature(ctx, tenant, flag, on, actor); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// Promote copies the staged configuration of tenant to production.
func (s *Service) Promote(ctx context.Context, tenant, actor string) error {
	raw, err := s.staging(tenant).Get(ctx, configKey(tenant))
	if err != nil {
		return fmt.Errorf("promote %s: %w", tenant, err)
	}
	var c Config
	if err := json.Unmarshal(raw, &c); err != nil {
		return fmt.Errorf("promote %s: %w", tenant, err)
	}
	c.UpdatedAt, c.UpdatedBy = time.Now().UTC(), actor
	b, _ := json.Marshal(c)
	if err := s.prod(tenant).Put(ctx, configKey(tenant), b, 0); err != nil {
		return fmt.Errorf("promote %s: %w", tenant, err)
	}
	s.cache.Forget(tenant, configKey(tenant))
	return nil
}

// ClaimSlug reserves slug (the tenant's console subdomain) for tenant.
func (s *Service) ClaimSlug(ctx context.Context, tenant, slug string) error {
	slug = strings.ToLower(strings.TrimSpace(slug))
	key := keys.Slug.Key(slug)
	owner, err := s.global.Get(ctx, key)
	switch {
	case err == nil && string(owner) != tenant:
		return &SlugTakenError{Slug: slug, Owner: string(owner)}
	case err == nil:
		return nil
	case !kvstore.IsNotFound(err):
		return fmt.Errorf("slug %s: %w", slug, err)
	}
	return s.global.Put(ctx, key, []byte(tenant), 0) // EXPECT kvrace
}

// Slugs returns every claimed slug, for the reserved-names report.
func (s *Service) Slugs(ctx context.Context) ([]string, error) {
	q := kvstore.Query{Prefix: keys.Slug.Scan(), Limit: 1000}
	var out []string
	for pages := 0; pages < 100; pages++ {
		page, err := s.global.ListPage(ctx, q) // EXPECT kvlist
		if err != nil {
			return out, err
		}
		for _, k := range page.Keys {
			out = append(out, path.Base(k.Name))
		}
		if page.Cursor == "" {
			return out, nil
		}
		q = kvstore.Query{Cursor: page.Cursor, Limit: 1000}
	}
	return out, fmt.Errorf("slugs: more than 100 pages")
}

// Entitlements returns what the tenant's plan includes. The billing service
// is slow, so answers are kept in the tenant's namespace for a short while.
func (s *Service) Entitlements(ctx context.Context, tenant string) (map[string]int, error) {
	key := keys.TenantConfig.Key(tenant, "entitlements")
	raw, err := kvstore.ReadThrough(ctx, s.prod(tenant), key, 20*time.Second, func(ctx context.Context) ([]byte, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.billing+"/v1/tenants/"+tenant+"/entitlements", nil)
		if err != nil {
			return nil, err
		}
		resp, err := s.hc.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("billing: %s", resp.Status)
		}
		return io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	})
	if err != nil {
		return nil, fmt.Errorf("entitlements of %s: %w", tenant, err)
	}
	var out map[string]int
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("entitlements of %s: %w", tenant, err)
	}
	return out, nil
}
