package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// bulkBatch is the most pairs the bulk endpoint accepts in one request.
const bulkBatch = 10_000

// product is one entry of the catalogue export.
type product struct {
	Slug     string `json:"slug"`
	Name     string `json:"name"`
	PriceEUR int    `json:"price_eur_cents"`
	Category string `json:"category"`
}

// publish writes every product under "product:<slug>" and then the list of
// slugs under "products:index". It returns how many products it wrote.
func publish(ctx context.Context, cfg config, path string) (int, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	var products []product
	if err := json.Unmarshal(data, &products); err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}

	slugs := make([]string, 0, len(products))
	for start := 0; start < len(products); start += bulkBatch {
		batch := products[start:min(start+bulkBatch, len(products))]
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(batch))
		for _, p := range batch {
			value, err := json.Marshal(p)
			if err != nil {
				return 0, err
			}
			body = append(body, kv.NamespaceBulkUpdateParamsBody{
				Key:           cloudflare.F("product:" + p.Slug),
				Value:         cloudflare.F(string(value)),
				ExpirationTTL: cloudflare.F(cfg.ttl.Seconds()),
			})
			slugs = append(slugs, p.Slug)
		}
		res, err := cfg.client.KV.Namespaces.BulkUpdate(ctx, cfg.namespaceID, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(cfg.accountID),
			Body:      body,
		})
		if err != nil {
			return 0, err
		}
		if len(res.UnsuccessfulKeys) > 0 {
			return 0, fmt.Errorf("bulk write: %d keys failed, first %s", len(res.UnsuccessfulKeys), res.UnsuccessfulKeys[0])
		}
	}

	// The index is rebuilt on every run, so an hour is plenty even if a run
	// is skipped.
	_, err = cfg.client.KV.Namespaces.Values.Update(ctx, cfg.namespaceID, "products:index", kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(cfg.accountID),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(strings.Join(slugs, "\n"))),
		ExpirationTTL: cloudflare.F(time.Hour.Seconds()),
	})
	return len(products), err
}
