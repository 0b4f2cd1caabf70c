// Package pricefeed loads the wholesale price sheet into the legacy KV
// namespace read by the old buyer portal. It predates the v4 SDK migration
// and still uses the v0 client.
package pricefeed

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"

	"example.com/orchard/internal/config"
	"example.com/orchard/internal/gen"
)

const keyPrefix = "price:"

type Price struct {
	SKU      string `json:"sku"`
	Cents    int64  `json:"cents"`
	Currency string `json:"currency"`
}

type Promo struct {
	SKU     string        `json:"sku"`
	Percent int           `json:"percent"`
	Window  time.Duration `json:"-"`
}

type Feed struct {
	api         *cloudflare.API
	rc          *cloudflare.ResourceContainer
	ns          string
	ttl         time.Duration
	promoWindow time.Duration
}

func New(api *cloudflare.API, cfg *config.Config) *Feed {
	return &Feed{api: api, rc: cloudflare.AccountIdentifier(cfg.AccountID), ns: cfg.Namespaces.Legacy,
		ttl: cfg.Legacy.PriceTTL.D(), promoWindow: cfg.Legacy.PromoWindow.D()}
}

// Import writes the nightly sheet. Prices expire if a night's import is
// missed so the portal never shows prices more than a day and a half old.
func (f *Feed) Import(ctx context.Context, prices []Price) error {
	pairs := make([]*cloudflare.WorkersKVPair, 0, len(prices))
	for _, p := range prices {
		v, err := json.Marshal(p)
		if err != nil {
			return err
		}
		pairs = append(pairs, &cloudflare.WorkersKVPair{
			Key:           keyPrefix + strings.ToUpper(p.SKU),
			Value:         string(v),
			ExpirationTTL: gen.Seconds(f.ttl.Seconds()),
		})
	}
	for batch := range slices.Chunk(pairs, 10_000) {
		if _, err := f.api.WriteWorkersKVEntries(ctx, f.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: f.ns, KVs: batch}); err != nil {
			return fmt.Errorf("pricefeed: import: %w", err)
		}
	}
	return nil
}

// ImportPromos writes promotional discounts alongside the prices.
func (f *Feed) ImportPromos(ctx context.Context, promos []Promo) error {
	pairs := make([]*cloudflare.WorkersKVPair, 0, len(promos))
	for _, p := range promos {
		window := p.Window
		if window == 0 {
			window = f.promoWindow
		}
		pairs = append(pairs, &cloudflare.WorkersKVPair{
			Key:           "promo:" + strings.ToUpper(p.SKU),
			Value:         fmt.Sprintf(`{"percent":%d}`, p.Percent),
			ExpirationTTL: int(window), // EXPECT kvttl
		})
	}
	_, err := f.api.WriteWorkersKVEntries(ctx, f.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: f.ns, KVs: pairs})
	return err
}

const backfillBatch = 25_000

// Backfill rewrites historical prices for the portal's price chart. Entries
// live for six hours, long enough for the chart job to read them.
func (f *Feed) Backfill(ctx context.Context, day time.Time, prices []Price) error {
	stamp := day.Format("20060102")
	pairs := make([]*cloudflare.WorkersKVPair, 0, len(prices))
	for _, p := range prices {
		v, _ := json.Marshal(p)
		pairs = append(pairs, &cloudflare.WorkersKVPair{
			Key:        "hist:" + stamp + ":" + strings.ToUpper(p.SKU),
			Value:      string(v),
			Expiration: int(time.Now().Add(6 * time.Hour).UnixMilli()), // EXPECT kvttl
		})
	}
	for batch := range slices.Chunk(pairs, backfillBatch) {
		if _, err := f.api.WriteWorkersKVEntries(ctx, f.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: f.ns, KVs: batch}); err != nil { // EXPECT kvlimits
			return fmt.Errorf("pricefeed: backfill %s: %w", stamp, err)
		}
	}
	return nil
}

// Prune deletes prices for SKUs no longer on the sheet.
func (f *Feed) Prune(ctx context.Context, keep map[string]bool) (int, error) {
	var stale []string
	params := cloudflare.ListWorkersKVsParams{NamespaceID: f.ns, Prefix: keyPrefix, Limit: 1000}
	for {
		resp, err := f.api.ListWorkersKVKeys(ctx, f.rc, params) // EXPECT kvlist
		if err != nil {
			return 0, err
		}
		for _, k := range resp.Result {
			if !keep[strings.TrimPrefix(k.Name, keyPrefix)] {
				stale = append(stale, k.Name)
			}
		}
		if resp.Cursor == "" {
			break
		}
		params.Cursor = resp.Cursor
	}
	for batch := range slices.Chunk(stale, 10_000) {
		if _, err := f.api.DeleteWorkersKVEntries(ctx, f.rc, cloudflare.DeleteWorkersKVEntriesParams{NamespaceID: f.ns, Keys: batch}); err != nil {
			return 0, err
		}
	}
	return len(stale), nil
}

// Lookup returns the current price of sku; ok is false when it has none.
func (f *Feed) Lookup(ctx context.Context, sku string) (p Price, ok bool, err error) {
	raw, err := f.api.GetWorkersKV(ctx, f.rc, cloudflare.GetWorkersKVParams{NamespaceID: f.ns, Key: keyPrefix + strings.ToUpper(sku)})
	if err != nil {
		return Price{}, false, fmt.Errorf("pricefeed: lookup %s: %w", sku, err)
	}
	if raw == nil { // EXPECT kvnull
		return Price{}, false, nil
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return Price{}, false, err
	}
	return p, true, nil
}
