// Package catalog serves the product catalog from Workers KV, filled from D1 on demand.
package catalog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"example.com/trellis/internal/codec"
	"example.com/trellis/internal/keys"
	"example.com/trellis/internal/kvstore"
	"example.com/trellis/internal/sqlstore"
)

const (
	productTTL   = 10 * time.Minute
	reindexBatch = 20_000
)

// plantSafetyNotice accompanies every care guide.
const plantSafetyNotice = `Many popular garden and house plants are harmful if eaten. Foxglove (Digitalis), oleander (Nerium ` +
	`oleander), lily of the valley (Convallaria majalis), yew (Taxus), monkshood (Aconitum), daffodil bulbs (Narcissus), castor ` +
	`bean (Ricinus communis) and angel's trumpet (Brugmansia) contain compounds that can cause serious illness in people and pets. ` +
	`True lilies (Lilium) and daylilies (Hemerocallis) are dangerous to cats even in small amounts, including pollen groomed from ` +
	`fur. Sago palm (Cycas revoluta) is highly toxic to dogs. Euphorbia sap and the sap of fig (Ficus) can irritate skin and eyes; ` +
	`wear gloves when pruning and wash hands afterwards. Keep plants, bulbs, cuttings and fallen leaves out of reach of children ` +
	`and animals, and label plants in shared spaces. If you suspect poisoning, contact your local poison information centre or ` +
	`veterinarian immediately and bring a sample or photo of the plant. This guide is general information supplied by the grower ` +
	`and is not medical or veterinary advice. Compost and growing media may contain micro-organisms: avoid inhaling dust, wear a ` +
	`mask when handling dry mixes, and wash hands before eating, drinking or smoking.`

// Preview is the small card shown in search results.
type Preview struct {
	SKU        string `json:"sku"`
	Name       string `json:"name"`
	PotSize    string `json:"pot_size"`
	PriceCents int64  `json:"price_cents"`
}

// Cache is the read-through catalog cache.
type Cache struct {
	st      kvstore.Store
	db      sqlstore.Catalog
	refresh time.Duration
	preview *codec.Bucket[Preview]
	log     *slog.Logger
}

// NewCache returns a Cache; refresh is how long category pages may be served from the cache.
func NewCache(st kvstore.Store, db sqlstore.Catalog, refresh time.Duration, log *slog.Logger) *Cache {
	return &Cache{st: st, db: db, refresh: refresh, log: log, preview: codec.NewBucket(st, "", codec.JSON[Preview]{})}
}

func productKey(t keys.TenantID, sku string) string {
	return keys.Expand(keys.PatternProduct, t, "sku", sku)
}

// Product returns a product, filling the cache from D1 on a miss.
func (c *Cache) Product(ctx context.Context, t keys.TenantID, sku string) (sqlstore.Product, error) {
	key := productKey(t, sku)
	raw, err := c.st.Get(ctx, key)
	cacheable := true
	switch {
	case err == nil:
		var p sqlstore.Product
		if json.Unmarshal(raw, &p) == nil {
			return p, nil
		}
	case kvstore.IsNotFound(err):
	default:
		c.log.WarnContext(ctx, "catalog cache unavailable", "key", key, "err", err)
		cacheable = false
	}
	p, err := c.db.Product(ctx, string(t), sku)
	if err != nil {
		return sqlstore.Product{}, err
	}
	if cacheable {
		body, _ := json.Marshal(p)
		if err := c.st.Put(ctx, key, body, kvstore.PutOptions{TTL: productTTL}); err != nil {
			c.log.WarnContext(ctx, "catalog cache fill", "key", key, "err", err)
		}
	}
	return p, nil
}

// Invalidate drops a product from the cache after it changes in D1.
func (c *Cache) Invalidate(ctx context.Context, t keys.TenantID, sku string) error {
	return c.st.Delete(ctx, productKey(t, sku))
}

// Category returns the live products in a category.
func (c *Cache) Category(ctx context.Context, t keys.TenantID, category string) ([]sqlstore.Product, error) {
	key := t.Prefix() + "category:" + category
	raw, err := c.st.Get(ctx, key)
	switch {
	case err == nil:
		var ps []sqlstore.Product
		if err := json.Unmarshal(raw, &ps); err == nil {
			return ps, nil
		}
	case !kvstore.IsNotFound(err):
		return nil, err
	}
	ps, err := c.db.Category(ctx, string(t), category)
	if err != nil {
		return nil, err
	}
	body, _ := json.Marshal(ps)
	return ps, c.st.Put(ctx, key, body, kvstore.PutOptions{TTL: max(c.refresh, time.Minute)})
}

// Preview returns the search-result card for sku.
func (c *Cache) Preview(ctx context.Context, t keys.TenantID, sku string) (Preview, error) {
	id := t.Prefix() + "preview:" + sku
	pv, found, err := c.preview.Get(ctx, id)
	if err != nil || found {
		return pv, err
	}
	p, err := c.Product(ctx, t, sku)
	if err != nil {
		return Preview{}, err
	}
	pv = Preview{SKU: p.SKU, Name: p.Name, PotSize: p.PotSize, PriceCents: p.PriceCents}
	return pv, c.preview.Put(ctx, id, pv, 45*time.Second)
}

// Purge drops up to maxPages pages of a tenant's cached products, for example after a bulk price import.
func (c *Cache) Purge(ctx context.Context, t keys.TenantID, maxPages int) (int, error) {
	l, ok := kvstore.AsLister(c.st)
	if !ok {
		return 0, kvstore.ErrUnsupported
	}
	opts := kvstore.ListOptions{Prefix: productKey(t, ""), Limit: kvstore.MaxPageSize}
	purged := 0
	for range maxPages {
		page, err := l.List(ctx, opts)
		if err != nil {
			return purged, err
		}
		for _, k := range page.Keys {
			if err := c.st.Delete(ctx, k.Name); err != nil {
				return purged, err
			}
			purged++
		}
		if page.Complete {
			break
		}
		opts.Cursor = page.Cursor
	}
	return purged, nil
}

// StockBadge caches the "only a few left" badge shown on product cards.
func (c *Cache) StockBadge(ctx context.Context, t keys.TenantID, sku string, onHand int) error {
	badge := fmt.Sprintf("only-%d-left", onHand)
	if onHand <= 0 {
		badge = "sold-out"
	}
	return c.st.Put(ctx, t.Prefix()+"badge:"+sku, []byte(badge), kvstore.PutOptions{
		TTL: 20 * time.Second, // EXPECT kvttl
	})
}

// PublishCareGuide stores the rendered care guide for sku.
func (c *Cache) PublishCareGuide(ctx context.Context, t keys.TenantID, sku string, html []byte) error {
	return c.st.Put(ctx, t.Prefix()+"care:"+sku, html, kvstore.PutOptions{
		Metadata: map[string]string{"sku": sku, "notice": plantSafetyNotice}, // EXPECT kvlimits
	})
}

// Reindex rewrites the cached entries of every product in categories from D1, in bulk where the store allows it.
func (c *Cache) Reindex(ctx context.Context, t keys.TenantID, categories []string) (int, error) {
	var pairs []kvstore.Pair
	for _, cat := range categories {
		ps, err := c.db.Category(ctx, string(t), cat)
		if err != nil {
			return 0, err
		}
		for _, p := range ps {
			body, _ := json.Marshal(p)
			pairs = append(pairs, kvstore.Pair{Key: productKey(t, p.SKU), Value: body, Opts: kvstore.PutOptions{TTL: productTTL}})
		}
	}
	bw, ok := kvstore.AsBulkWriter(c.st)
	if !ok {
		for _, p := range pairs {
			if err := c.st.Put(ctx, p.Key, p.Value, p.Opts); err != nil {
				return 0, err
			}
		}
		return len(pairs), nil
	}
	written := 0
	for start := 0; start < len(pairs); start += reindexBatch {
		chunk := pairs[start:min(start+reindexBatch, len(pairs))]
		failed, err := bw.PutMany(ctx, chunk) // EXPECT kvlimits
		if written += len(chunk) - len(failed); err != nil || len(failed) > 0 {
			return written, errors.Join(err, fmt.Errorf("catalog: %d entries not reindexed", len(failed)))
		}
	}
	return written, nil
}
