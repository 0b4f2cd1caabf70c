package inventory

import (
	"context"
	"encoding/base64"
	"fmt"
	"log"
	"maps"
	"slices"
	"strings"

	cloudflare "github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"example.com/paddock/internal/cfkv"
	"example.com/paddock/internal/codec"
	"example.com/paddock/internal/keys"
)

// bulkWriteMax is the most pairs the bulk endpoint accepts per request.
const bulkWriteMax = 10_000

// Rewards writes end-of-season cosmetic rewards straight into the inventory
// namespace with the bulk API. Cosmetics are unique, so each player/item key
// is written once with a count of one.
type Rewards struct {
	NS cfkv.Namespace
}

// Distribute grants every (player, item) pair in grants.
func (r Rewards) Distribute(ctx context.Context, grants map[string][]string) (int, error) {
	var body []kv.NamespaceBulkUpdateParamsBody
	for _, player := range slices.Sorted(maps.Keys(grants)) {
		for _, item := range grants[player] {
			body = append(body, kv.NamespaceBulkUpdateParamsBody{
				Key:      cloudflare.F(keys.Inventory(player, item)),
				Value:    cloudflare.F(base64.StdEncoding.EncodeToString(codec.Uint64(1))),
				Base64:   cloudflare.F(true),
				Metadata: cloudflare.F[any](stackMeta{Qty: 1}),
			})
		}
	}
	written := 0
	for batch := range slices.Chunk(body, bulkWriteMax) {
		_, err := r.NS.Client.KV.Namespaces.BulkUpdate(ctx, r.NS.ID, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(r.NS.AccountID),
			Body:      batch,
		})
		if err != nil {
			return written, fmt.Errorf("inventory: reward batch at %d: %w", written, err)
		}
		written += len(batch)
	}
	return written, nil
}

// AuditReport summarises the inventory namespace.
type AuditReport struct {
	Keys    int
	Players map[string]int
}

// Audit walks the inventory namespace for the nightly report.
func (r Rewards) Audit(ctx context.Context) (AuditReport, error) {
	report := AuditReport{Players: map[string]int{}}
	iter := r.NS.Client.KV.Namespaces.Keys.ListAutoPaging(ctx, r.NS.ID, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(r.NS.AccountID),
		Prefix:    cloudflare.F("inv/"),
		Limit:     cloudflare.F(float64(1000)),
	})
	for iter.Next() {
		k := iter.Current()
		report.Keys++
		if parts := strings.SplitN(k.Name, "/", 3); len(parts) == 3 {
			report.Players[parts[1]]++
		}
	}
	if err := iter.Err(); err != nil {
		return report, err
	}
	log.Printf("inventory audit: %d keys across %d players", report.Keys, len(report.Players))
	return report, nil
}
