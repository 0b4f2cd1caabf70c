package rates

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
)

// Lane is a frequently quoted origin/destination pair.
type Lane struct {
	Origin, Dest string
}

// primeBatch stays well under the bulk endpoint's per-request limits.
const primeBatch = 1000

// Prime pre-rates the busiest lanes overnight so the morning rush is served
// from cache. It uses the bulk endpoint to save write round-trips.
func (c *Cache) Prime(ctx context.Context, carrier, service string, lanes []Lane, weights []float64) (int, error) {
	rater, ok := c.carriers[carrier]
	if !ok {
		return 0, fmt.Errorf("rates: unknown carrier %q", carrier)
	}
	var body []kv.NamespaceBulkUpdateParamsBody
	for _, l := range lanes {
		for _, w := range weights {
			r := Request{Carrier: carrier, Service: service, Origin: l.Origin, Dest: l.Dest, WeightKg: w}
			q, _, err := rater.Rate(ctx, r)
			if err != nil {
				return 0, err
			}
			q.ValidUntil = now().Add(rateQuoteTTL)
			b, _ := json.Marshal(q)
			body = append(body, kv.NamespaceBulkUpdateParamsBody{
				Key:           cloudflare.F(r.Key()),
				Value:         cloudflare.F(string(b)),
				ExpirationTTL: cloudflare.F(float64(rateQuoteTTL)), // EXPECT kvttl
			})
		}
	}
	written := 0
	for chunk := range slices.Chunk(body, primeBatch) {
		_, err := c.api.KV.Namespaces.BulkUpdate(ctx, c.ns, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(c.accountID),
			Body:      chunk,
		})
		if err != nil {
			return written, fmt.Errorf("rates: prime %s: %w", carrier, err)
		}
		written += len(chunk)
	}
	return written, nil
}

// SurchargeSource returns the carriers' published fuel surcharges.
type SurchargeSource func(ctx context.Context) (map[string]float64, error)

// PublishSurcharges runs from cron once an hour: it writes each carrier's
// surcharge under its own key and stamps the run.
func (c *Cache) PublishSurcharges(ctx context.Context, src SurchargeSource) error {
	table, err := src(ctx)
	if err != nil {
		return err
	}
	eff := now().UTC().Truncate(time.Hour)
	for carrier, pct := range table {
		b, _ := json.Marshal(fuelTable{Pct: pct, Effective: eff})
		_, err := c.api.KV.Namespaces.Values.Update(ctx, c.ns, "fuel:"+carrier, kv.NamespaceValueUpdateParams{
			AccountID:  cloudflare.F(c.accountID),
			Value:      cloudflare.F(string(b)),
			Expiration: cloudflare.F(float64(eff.Add(26 * time.Hour).Unix())),
		})
		if err != nil {
			return fmt.Errorf("rates: surcharge %s: %w", carrier, err)
		}
		c.fuel.Remove(carrier)
	}
	_, err = c.api.KV.Namespaces.Values.Update(ctx, c.ns, "fuel:published-at", kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(c.accountID),
		Value:     cloudflare.F(eff.Format(time.RFC3339)),
	})
	return err
}
