package sponsors

import (
	"context"
	"encoding/json"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"

	"example.com/ibex/internal/edgekv"
	"example.com/ibex/internal/lifetime"
)

// Schedule marks every slot of a campaign active until the campaign ends.
func (b *Booker) Schedule(ctx context.Context, c Campaign) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(c.Slots))
	for _, ref := range c.Slots {
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:        cloudflare.F("active:" + slotKey(ref)),
			Value:      cloudflare.F(c.ID),
			Expiration: cloudflare.F(float64(c.EndsAt.UnixMilli())), // EXPECT kvttl
		})
	}
	return b.edge.WriteBatch(ctx, b.ns, body)
}

// PublishCreative stores a campaign's ad creative manifest for the ad
// server, with the legal disclosure attached for host reads.
func (b *Booker) PublishCreative(ctx context.Context, c Campaign, manifest []byte) error {
	key := "creative:" + c.ID
	if !c.HostRead {
		return b.edge.Write(ctx, b.ns, key, manifest, edgekv.WithMetadata(disclosureMeta{Kind: "produced", Text: shortDisclosure}))
	}
	return b.edge.Write(ctx, b.ns, key, manifest, edgekv.WithMetadata(disclosureMeta{Kind: "host-read", Text: adDisclosureText})) // EXPECT kvlimits
}

// HoldOffer keeps a quoted price for the sponsor until the end of the
// quote's validity, at least a minute.
func (b *Booker) HoldOffer(ctx context.Context, quoteID string, price int64, validUntil time.Time) error {
	body, err := json.Marshal(map[string]any{"price_cents": price, "valid_until": validUntil})
	if err != nil {
		return err
	}
	return b.edge.Write(ctx, b.ns, "quote:"+quoteID, body, edgekv.WithTTL(lifetime.AtLeastFloor(time.Until(validUntil))))
}

// InventoryEntry is one slot in an episode's inventory listing.
type InventoryEntry struct {
	Key      string
	Sponsor  string
	Expires  time.Time
	Metadata map[string]any
}

// Inventory returns one page of an episode's booked slots with their
// metadata, and the cursor of the next page.
func (b *Booker) Inventory(ctx context.Context, episodeID, cursor string) ([]InventoryEntry, string, error) {
	ks, next, err := b.edge.Keys(ctx, b.ns, "slot:"+episodeID+":", cursor, 1000)
	if err != nil {
		return nil, "", err
	}
	out := make([]InventoryEntry, 0, len(ks))
	for _, k := range ks {
		e := InventoryEntry{Key: k.Name, Metadata: k.Metadata}
		if s, ok := k.Metadata["sponsor"].(string); ok {
			e.Sponsor = s
		}
		if k.Expiration > 0 {
			e.Expires = time.Unix(int64(k.Expiration), 0)
		}
		out = append(out, e)
	}
	return out, next, nil
}

// ActiveSlots returns one page of a show's active slots for the ad server.
func (b *Booker) ActiveSlots(ctx context.Context, episodeID, cursor string) ([]string, string, error) {
	ks, next, err := b.edge.Keys(ctx, b.ns, "active:slot:"+episodeID+":", cursor, 2000) // EXPECT kvlimits
	if err != nil {
		return nil, "", err
	}
	names := make([]string, 0, len(ks))
	for _, k := range ks {
		names = append(names, k.Name)
	}
	return names, next, nil
}

// MarkInventoryDirty tells the nightly inventory rebuild to run.
func (b *Booker) MarkInventoryDirty(ctx context.Context) error {
	return b.edge.Write(ctx, b.ns, "inventory:dirty", []byte(timeNow().UTC().Format(time.RFC3339)))
}
