// Package lookups remembers the country of an IP address.
package lookups

import (
	"context"

	"example.com/ops/internal/kvstore"
	"example.com/ops/internal/settings"
)

// Cache keeps resolved and unresolvable addresses in KV.
type Cache struct {
	store *kvstore.Store
	cfg   settings.GeoSettings
}

// New returns a Cache over store, tuned by cfg.
func New(store *kvstore.Store, cfg settings.GeoSettings) *Cache {
	return &Cache{store: store, cfg: cfg}
}

// Remember keeps the country of ip; an empty country marks ip as one the
// resolver could not place.
func (c *Cache) Remember(ctx context.Context, ip, country string) error {
	if country == "" {
		return c.store.Set(ctx, "geo:miss:"+ip, []byte("-"), c.cfg.NegativeTTL)
	}
	return c.store.Set(ctx, "geo:"+ip, []byte(country), c.cfg.LookupTTL)
}
