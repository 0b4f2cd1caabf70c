package venuesync

import (
	"context"
	"encoding/json"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"

	"example.com/saffron/internal/domain"
	"example.com/saffron/internal/keys"
)

const (
	horizonDays  = 120
	slotsPerDay  = 96
	slotDuration = 15 * time.Minute
)

// PrewarmSlots creates empty inventory for every quarter-hour of the booking
// horizon of a new venue in a single bulk request.
func PrewarmSlots(ctx context.Context, client *cloudflare.Client, accountID, namespaceID, venueID string, tables []domain.Table, from time.Time) error {
	from = from.UTC().Truncate(24 * time.Hour)
	bodies := make([]kv.NamespaceBulkUpdateParamsBody, 0, horizonDays*slotsPerDay)
	for d := 0; d < horizonDays; d++ {
		for q := 0; q < slotsPerDay; q++ {
			start := from.Add(time.Duration(d)*24*time.Hour + time.Duration(q)*slotDuration)
			b, _ := json.Marshal(domain.SlotInventory{VenueID: venueID, Start: start, Tables: tables})
			bodies = append(bodies, kv.NamespaceBulkUpdateParamsBody{
				Key:        cloudflare.F(keys.Slot(venueID, start)),
				Value:      cloudflare.F(string(b)),
				Expiration: cloudflare.F(float64(start.Add(36 * time.Hour).Unix())),
			})
		}
	}
	_, err := client.KV.Namespaces.Bulk.Update(ctx, namespaceID, kv.NamespaceBulkUpdateParams{ // EXPECT kvlimits
		AccountID: cloudflare.F(accountID),
		Body:      bodies,
	})
	return err
}

// PrewarmWeek is the chunked variant used for existing venues: one request per
// day, 96 pairs each.
func PrewarmWeek(ctx context.Context, client *cloudflare.Client, accountID, namespaceID, venueID string, tables []domain.Table, from time.Time) error {
	from = from.UTC().Truncate(24 * time.Hour)
	for d := 0; d < 7; d++ {
		bodies := make([]kv.NamespaceBulkUpdateParamsBody, 0, slotsPerDay)
		for q := 0; q < slotsPerDay; q++ {
			start := from.Add(time.Duration(d)*24*time.Hour + time.Duration(q)*slotDuration)
			b, _ := json.Marshal(domain.SlotInventory{VenueID: venueID, Start: start, Tables: tables})
			bodies = append(bodies, kv.NamespaceBulkUpdateParamsBody{
				Key:           cloudflare.F(keys.Slot(venueID, start)),
				Value:         cloudflare.F(string(b)),
				ExpirationTTL: cloudflare.F((time.Duration(d+2) * 24 * time.Hour).Seconds()),
			})
		}
		if _, err := client.KV.Namespaces.Bulk.Update(ctx, namespaceID, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(accountID),
			Body:      bodies,
		}); err != nil {
			return err
		}
	}
	return nil
}
