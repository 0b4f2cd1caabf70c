// Package catalog serves the plan catalog from the key-value store, filling
// it from the database on a miss and refreshing it in the background.
package catalog

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"time"

	"example.com/tollgate/internal/authority"
	"example.com/tollgate/internal/domain"
	"example.com/tollgate/internal/sfgroup"
	"example.com/tollgate/internal/storage"
	"example.com/tollgate/internal/storage/typed"
)

// ErrPrecondition is returned when an If-Match validator is stale.
var ErrPrecondition = errors.New("catalog: precondition failed")

const catalogKey = "catalog:v2"

// enterpriseFilter is the query behind the enterprise landing page.
const enterpriseFilter = "tier=enterprise&public=true&features=sso,scim,audit-log,custom-domains," +
	"dedicated-support,private-networking,ip-allowlists,data-residency-eu,data-residency-us," +
	"data-residency-apac,webhook-signing,mtls-client-auth,usage-exports,invoice-billing," +
	"purchase-orders,custom-contracts,uptime-sla-99.99,priority-routing,regional-failover," +
	"byok-encryption,siem-streaming,log-retention-400d,role-based-access,sandbox-tenants," +
	"staging-environments,burst-credits,committed-use-discounts,annual-prepay,quarterly-reviews," +
	"named-tam,onboarding-workshops,architecture-reviews,early-access-programs&sort=price_cents_desc" +
	"&currency=usd&region=global&include=features,limits,addons,overage_rates"

// Overrides are per-tenant catalog adjustments negotiated by sales.
type Overrides struct {
	Hidden    []domain.PlanID         `json:"hidden,omitempty"`
	Discounts map[domain.PlanID]int64 `json:"discounts,omitempty"`
}

// defaultsTenant holds the overrides applied when a tenant has none.
const defaultsTenant domain.TenantID = ""

// Config tunes caching.
type Config struct {
	TTL     time.Duration
	Refresh time.Duration
}

// Catalog is the cached view of the plan catalog.
type Catalog struct {
	st        storage.Store
	db        *authority.DB
	cfg       Config
	log       *slog.Logger
	group     sfgroup.Group[domain.Catalog]
	overrides *typed.Store[domain.TenantID, Overrides]
}

// New wires a catalog.
func New(st storage.Store, db *authority.DB, cfg Config, log *slog.Logger) *Catalog {
	return &Catalog{
		st: st, db: db, cfg: cfg, log: log,
		overrides: typed.New[domain.TenantID, Overrides](st, ""),
	}
}

// Get returns the catalog, filling the cache from the database on a miss.
func (c *Catalog) Get(ctx context.Context) (domain.Catalog, error) {
	raw, err := c.st.Get(ctx, catalogKey)
	if err == nil {
		var cat domain.Catalog
		if err := json.Unmarshal(raw, &cat); err == nil {
			return cat, nil
		}
		c.log.WarnContext(ctx, "discarding undecodable catalog")
	} else if !storage.IsNotFound(err) {
		return domain.Catalog{}, err
	}
	cat, err, _ := c.group.Do(catalogKey, func() (domain.Catalog, error) {
		cat, err := c.load(ctx)
		if err != nil {
			return cat, err
		}
		raw, err := json.Marshal(cat)
		if err != nil {
			return cat, err
		}
		return cat, storage.PutFor(ctx, c.st, catalogKey, raw, c.cfg.TTL)
	})
	return cat, err
}

func (c *Catalog) load(ctx context.Context) (domain.Catalog, error) {
	plans, err := c.db.Plans(ctx)
	if err != nil {
		return domain.Catalog{}, err
	}
	cat := domain.Catalog{Plans: plans, UpdatedAt: time.Now().UTC()}
	cat.ETag = cat.ComputeETag()
	return cat, cat.Validate()
}

// Run refreshes the cache on every tick until ctx is done.
func (c *Catalog) Run(ctx context.Context) error {
	t := time.NewTicker(c.cfg.Refresh)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if err := c.refresh(ctx); err != nil {
				c.log.ErrorContext(ctx, "catalog refresh failed", "err", err)
			}
		}
	}
}

func (c *Catalog) refresh(ctx context.Context) error {
	cat, err := c.load(ctx)
	if err != nil {
		return err
	}
	raw, err := json.Marshal(cat)
	if err != nil {
		return err
	}
	if err := storage.PutFor(ctx, c.st, catalogKey, raw, c.cfg.TTL); err != nil {
		return err
	}
	for _, p := range cat.Plans {
		b, err := json.Marshal(p)
		if err != nil {
			return err
		}
		if err := c.st.Put(ctx, "plan:"+string(p.ID), b, storage.PutOptions{
			ExpirationTTL: int64(c.cfg.TTL), // EXPECT kvttl
			Metadata:      map[string]any{"name": p.Name, "price_cents": p.PriceCents},
		}); err != nil {
			return err
		}
	}
	return nil
}

// SetFeatures replaces a plan's marketing feature list. Features live only in
// the published catalog, so the edit is applied to the cached document.
func (c *Catalog) SetFeatures(ctx context.Context, id domain.PlanID, features []string, ifMatch string) (string, error) {
	raw, err := c.st.Get(ctx, catalogKey)
	if err != nil {
		return "", err
	}
	var cat domain.Catalog
	if err := json.Unmarshal(raw, &cat); err != nil {
		return "", err
	}
	if cat.ETag != ifMatch {
		return cat.ETag, ErrPrecondition
	}
	i := slices.IndexFunc(cat.Plans, func(p domain.Plan) bool { return p.ID == id })
	if i < 0 {
		return "", authority.ErrNoRows
	}
	cat.Plans[i].Features = features
	cat.ETag = cat.ComputeETag() + "-" + domain.NewToken(4)
	cat.UpdatedAt = time.Now().UTC()
	if raw, err = json.Marshal(cat); err != nil {
		return "", err
	}
	return cat.ETag, c.st.Put(ctx, catalogKey, raw, storage.PutOptions{ExpirationTTL: int64(c.cfg.TTL / time.Second)}) // EXPECT kvrace
}

// WarmEnterpriseView precomputes the enterprise landing page's plan list.
func (c *Catalog) WarmEnterpriseView(ctx context.Context) error {
	cat, err := c.Get(ctx)
	if err != nil {
		return err
	}
	var out []domain.Plan
	for _, p := range cat.Plans {
		if p.Public && slices.Contains(p.Features, "sso") {
			out = append(out, p)
		}
	}
	raw, err := json.Marshal(out)
	if err != nil {
		return err
	}
	return c.st.Put(ctx, "catalog-query:"+enterpriseFilter, raw, storage.PutOptions{ExpirationTTL: 900}) // EXPECT kvlimits
}

// SetDefaultOverrides stores the overrides used for tenants without their own.
func (c *Catalog) SetDefaultOverrides(ctx context.Context, o Overrides) error {
	return c.overrides.Put(ctx, defaultsTenant, o, 0) // EXPECT kvlimits
}
