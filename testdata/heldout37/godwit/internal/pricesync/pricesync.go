// Package pricesync copies prices from the ERP export into the CATALOG
// namespace over the Cloudflare API. Sync state per key lives in KV metadata
// so that listing keys is enough to see what is stale.
package pricesync

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"godwit/internal/config"
	"godwit/internal/kvstore"
)

// Price is one row of the ERP export.
type Price struct {
	SKU      string    `json:"sku"`
	Currency string    `json:"currency"`
	Cents    int64     `json:"cents"`
	SaleEnds time.Time `json:"sale_ends"`
}

// Meta is the KV metadata stored next to every price.
type Meta struct {
	Currency string    `json:"cur"`
	SyncedAt time.Time `json:"synced"`
	Source   string    `json:"src"`
	Tags     []string  `json:"tags,omitempty"`
}

const (
	bulkBatch       = 5_000
	fullResyncBatch = 12_000
	bulkGetBatch    = 100
)

// saleDisclaimer is shown under every sale price (EU Omnibus directive).
const saleDisclaimer = "The crossed-out price is the lowest price at which this item was offered " +
	"in our online shop during the 30 days before the start of this promotion. Where an item was " +
	"introduced to the market fewer than 30 days ago, the reference price is the lowest price since " +
	"its introduction. Promotional prices are valid while stocks last and until the end date shown, " +
	"unless the promotion is withdrawn earlier. Prices include VAT at the rate applicable in the " +
	"delivery country and exclude shipping costs, which are calculated at checkout. Promotional " +
	"prices cannot be combined with other discount codes, gift-card bonuses or staff discounts " +
	"unless stated otherwise, and do not apply to orders placed before the promotion started. " +
	"Should an item be returned under the statutory right of withdrawal, the amount actually paid " +
	"is refunded. Errors and omissions excepted; in the event of an obvious pricing error we may " +
	"cancel the affected order line and will inform you without delay by email. Further details " +
	"are set out in section 7 of our terms and conditions."

// Syncer writes prices into one KV namespace.
type Syncer struct {
	Client    *cloudflare.Client
	AccountID string
	NSID      string
	State     kvstore.Namespace
	Log       *slog.Logger
	total     int
}

func priceKey(sku string) string { return "price:" + sku }

func decodeMeta(v any) (Meta, error) {
	var m Meta
	b, err := json.Marshal(v)
	if err != nil {
		return m, err
	}
	return m, json.Unmarshal(b, &m)
}

// Run writes every price with bulk writes and records progress.
func (s *Syncer) Run(ctx context.Context, prices []Price) error {
	byKey := make(map[string]Price, len(prices))
	for _, p := range prices {
		byKey[priceKey(p.SKU)] = p
	}
	now := time.Now().UTC()
	for batch := range slices.Chunk(slices.Sorted(maps.Keys(byKey)), bulkBatch) {
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(batch))
		for _, k := range batch {
			p := byKey[k]
			body = append(body, kv.NamespaceBulkUpdateParamsBody{
				Key:           cloudflare.F(k),
				Value:         cloudflare.F(strconv.FormatInt(p.Cents, 10)),
				ExpirationTTL: cloudflare.F(config.PriceTTL.Seconds()),
				Metadata:      cloudflare.F[any](Meta{Currency: p.Currency, SyncedAt: now, Source: "erp"}),
			})
		}
		res, err := s.Client.KV.Namespaces.BulkUpdate(ctx, s.NSID, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(s.AccountID),
			Body:      body,
		})
		if err != nil {
			return fmt.Errorf("pricesync: bulk write: %w", err)
		}
		if len(res.UnsuccessfulKeys) > 0 {
			s.Log.WarnContext(ctx, "keys not written", "count", len(res.UnsuccessfulKeys), "first", res.UnsuccessfulKeys[0])
		}
		s.total += int(res.SuccessfulKeyCount)
		if err := s.State.Put(ctx, "progress", batch[len(batch)-1], 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return s.State.Put(ctx, "total-synced", strconv.Itoa(s.total), 0) // EXPECT kvcounter
}

// FullResync rewrites every price without expiry, for the weekly rebuild.
func (s *Syncer) FullResync(ctx context.Context, prices []Price) error {
	now := time.Now().UTC()
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(prices))
	for _, p := range prices {
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:      cloudflare.F(priceKey(p.SKU)),
			Value:    cloudflare.F(strconv.FormatInt(p.Cents, 10)),
			Metadata: cloudflare.F[any](Meta{Currency: p.Currency, SyncedAt: now, Source: "resync"}),
		})
	}
	for batch := range slices.Chunk(body, fullResyncBatch) { // EXPECT kvlimits
		if _, err := s.Client.KV.Namespaces.BulkUpdate(ctx, s.NSID, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(s.AccountID),
			Body:      batch,
		}); err != nil {
			return err
		}
	}
	return nil
}

// SaleOverride writes a sale price that disappears when the sale ends.
func (s *Syncer) SaleOverride(ctx context.Context, p Price) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(s.AccountID),
		Value:         cloudflare.F(strconv.FormatInt(p.Cents, 10)),
		ExpirationTTL: cloudflare.F(float64(time.Until(p.SaleEnds))),                                              // EXPECT kvttl
		Metadata:      cloudflare.F[any](map[string]any{"cur": p.Currency, "sale": true, "note": saleDisclaimer}), // EXPECT kvlimits
	}
	_, err := s.Client.KV.Namespaces.Values.Update(ctx, s.NSID, url.PathEscape(priceKey(p.SKU)+":sale"), params)
	return err
}

// Stale returns the price keys whose metadata says they were synced before
// cutoff.
func (s *Syncer) Stale(ctx context.Context, cutoff time.Time) ([]string, error) {
	iter := s.Client.KV.Namespaces.Keys.ListAutoPaging(ctx, s.NSID, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(s.AccountID),
		Prefix:    cloudflare.F("price:"),
	})
	var stale []string
	for iter.Next() {
		k := iter.Current()
		m, err := decodeMeta(k.Metadata)
		if err != nil || m.SyncedAt.Before(cutoff) {
			stale = append(stale, k.Name)
		}
	}
	return stale, iter.Err()
}

// Purge deletes keys in bulk.
func (s *Syncer) Purge(ctx context.Context, keys []string) error {
	for batch := range slices.Chunk(keys, 10_000) {
		if _, err := s.Client.KV.Namespaces.BulkDelete(ctx, s.NSID, kv.NamespaceBulkDeleteParams{
			AccountID: cloudflare.F(s.AccountID),
			Body:      batch,
		}); err != nil {
			return err
		}
	}
	return nil
}

// Tag adds tag to a price's metadata and keeps its value.
func (s *Syncer) Tag(ctx context.Context, sku, tag string) error {
	key := url.PathEscape(priceKey(sku))
	md, err := s.Client.KV.Namespaces.Metadata.Get(ctx, s.NSID, key, kv.NamespaceMetadataGetParams{AccountID: cloudflare.F(s.AccountID)})
	if err != nil {
		return err
	}
	m, err := decodeMeta(*md)
	if err != nil {
		return err
	}
	if slices.Contains(m.Tags, tag) {
		return nil
	}
	m.Tags = append(m.Tags, tag)
	res, err := s.Client.KV.Namespaces.Values.Get(ctx, s.NSID, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.AccountID)})
	if err != nil {
		return err
	}
	defer res.Body.Close()
	value, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	_, err = s.Client.KV.Namespaces.Values.Update(ctx, s.NSID, key, kv.NamespaceValueUpdateParams{ // EXPECT kvrace
		AccountID:     cloudflare.F(s.AccountID),
		Value:         cloudflare.F(string(value)),
		ExpirationTTL: cloudflare.F(config.PriceTTL.Seconds()),
		Metadata:      cloudflare.F[any](m),
	})
	return err
}
