package cfkv

import (
	"context"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"
)

// slotsPerFortnight is one spa or meeting-room slot per minute for two weeks.
const slotsPerFortnight = 14 * 24 * 60

// SeedSlots opens every minute slot of a facility for the next two weeks.
func (c *Client) SeedSlots(ctx context.Context, facility string, from time.Time) error {
	from = from.Truncate(time.Minute)
	kvs := make([]*cloudflare.WorkersKVPair, 0, slotsPerFortnight)
	for i := range slotsPerFortnight {
		at := from.Add(time.Duration(i) * time.Minute)
		kvs = append(kvs, &cloudflare.WorkersKVPair{
			Key:        "slot:" + facility + ":" + at.UTC().Format("2006-01-02T15:04"),
			Value:      "open",
			Expiration: int(at.Add(24 * time.Hour).Unix()),
		})
	}
	_, err := c.api.WriteWorkersKVEntries(ctx, c.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: c.ns, KVs: kvs}) // EXPECT kvlimits
	return err
}
