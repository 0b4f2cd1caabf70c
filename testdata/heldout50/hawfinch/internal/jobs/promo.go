package jobs

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"

	"hawfinch/internal/restkv"
)

// springPromoEnds is 2024-05-01T00:00:00Z.
const springPromoEnds = 1714521600

// SeedPromoCodes writes the spring campaign's single-use codes so the edge
// can validate them at checkout.
func SeedPromoCodes(ctx context.Context, s restkv.Scope, codes []string) error {
	ns := s.Namespace()
	promo := s.Scope("promo", "spring")
	uniq := make(map[string]struct{}, len(codes))
	for _, c := range codes {
		uniq[strings.ToUpper(strings.TrimSpace(c))] = struct{}{}
	}
	codes = slices.Collect(maps.Keys(uniq))
	slices.Sort(codes)
	for batch := range slices.Chunk(codes, 20_000) { // DEBATABLE kvlimits
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(batch))
		for _, code := range batch {
			body = append(body, kv.NamespaceBulkUpdateParamsBody{
				Key:        cloudflare.F(promo.Key(code)),
				Value:      cloudflare.F("unused"),
				Expiration: cloudflare.F(float64(springPromoEnds)), // EXPECT kvttl
			})
		}
		_, err := ns.API.Bulk.Update(ctx, ns.ID, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(ns.AccountID),
			Body:      body,
		})
		if err != nil {
			return fmt.Errorf("promo: seed %d codes: %w", len(batch), err)
		}
	}
	return nil
}
