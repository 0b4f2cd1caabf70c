// Package importer bulk-loads catalog data into KV for the edge.
package importer

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"
)

// Config is read from flags by cmd/importer.
type Config struct {
	AccountID   string
	NamespaceID string
	TTL         time.Duration
}

// Product is one catalog row.
type Product struct {
	SKU   string  `json:"sku"`
	Name  string  `json:"name"`
	Price float64 `json:"price"`
}

const batchSize = 5000

// ImportProducts writes every product under product:<sku>.
func ImportProducts(ctx context.Context, api *cloudflare.API, cfg Config, products []Product) error {
	rc := cloudflare.AccountIdentifier(cfg.AccountID)
	var pairs []*cloudflare.WorkersKVPair
	for _, p := range products {
		b, err := json.Marshal(p)
		if err != nil {
			return err
		}
		pairs = append(pairs, &cloudflare.WorkersKVPair{
			Key:           "product:" + p.SKU,
			Value:         string(b),
			ExpirationTTL: int(cfg.TTL), // EXPECT kvttl
		})
		if len(pairs) == batchSize {
			if _, err := api.WriteWorkersKVEntries(ctx, rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: cfg.NamespaceID, KVs: pairs}); err != nil {
				return err
			}
			pairs = pairs[:0]
		}
	}
	if len(pairs) > 0 {
		_, err := api.WriteWorkersKVEntries(ctx, rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: cfg.NamespaceID, KVs: pairs})
		return err
	}
	return nil
}

// ImportPrices writes price:<sku> with the configured TTL, in seconds.
func ImportPrices(ctx context.Context, api *cloudflare.API, cfg Config, products []Product) error {
	rc := cloudflare.AccountIdentifier(cfg.AccountID)
	ttlSeconds := int(cfg.TTL.Seconds())
	pairs := make([]*cloudflare.WorkersKVPair, 0, len(products))
	for _, p := range products {
		pair := new(cloudflare.WorkersKVPair)
		pair.Key = "price:" + p.SKU
		pair.Value = fmt.Sprintf("%.2f", p.Price)
		pair.ExpirationTTL = ttlSeconds
		pairs = append(pairs, pair)
	}
	pairs = append(pairs, &cloudflare.WorkersKVPair{
		Key:        "price:_updated",
		Value:      time.Now().UTC().Format(time.RFC3339),
		Expiration: int(time.Now().Add(24 * time.Hour).Unix()),
	})
	_, err := api.WriteWorkersKVEntries(ctx, rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: cfg.NamespaceID, KVs: pairs})
	return err
}

// promoEndsAt is the end of the winter sale (2023-12-31 23:59:59 UTC).
const promoEndsAt = 1704067199

// ImportPromos writes the promotion banners.
func ImportPromos(ctx context.Context, api *cloudflare.API, cfg Config, banners map[string]string) error {
	rc := cloudflare.AccountIdentifier(cfg.AccountID)
	var kvs []*cloudflare.WorkersKVPair
	for slot, html := range banners {
		kvs = append(kvs, &cloudflare.WorkersKVPair{Key: "promo:" + slot, Value: html, Expiration: promoEndsAt}) // EXPECT kvttl
	}
	kvs = append(kvs,
		&cloudflare.WorkersKVPair{
			Key:        "promo:_teaser",
			Value:      "coming soon",
			Expiration: int(time.Now().Add(7*24*time.Hour).Unix() * 1000), // EXPECT kvttl
		},
		&cloudflare.WorkersKVPair{Key: "promo:_ping", Value: "1", ExpirationTTL: 60},
		&cloudflare.WorkersKVPair{Key: "promo:_pong", Value: "1", ExpirationTTL: int(time.Minute.Seconds())},
	)
	_, err := api.WriteWorkersKVEntries(ctx, rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: cfg.NamespaceID, KVs: kvs})
	return err
}
