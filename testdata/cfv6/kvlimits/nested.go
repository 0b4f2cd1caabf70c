package kvlimits

import (
	"context"
	"fmt"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
)

// Rows of seats, appended in nested loops: 120 × 100 pairs in one request.
func (c *client) seedStadium(ctx context.Context, event string) error {
	const rows, perRow = 120, 100
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, rows*perRow)
	for r := range rows {
		for s := range perRow {
			body = append(body, kv.NamespaceBulkUpdateParamsBody{
				Key:   cloudflare.F(fmt.Sprintf("seat:%s:%d:%d", event, r, s)),
				Value: cloudflare.F("free"),
			})
		}
	}
	_, err := c.cf.KV.Namespaces.BulkUpdate(ctx, c.ns, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(c.account), Body: body}) // want `sends 12000 pairs`
	return err
}

// Days of quarter-hours, in counted loops: 120 × 96.
func (c *client) prewarm(ctx context.Context, venue string) error {
	var body []kv.NamespaceBulkUpdateParamsBody
	for d := 0; d < 120; d++ {
		for q := 0; q < 96; q++ {
			body = append(body, kv.NamespaceBulkUpdateParamsBody{
				Key:   cloudflare.F(fmt.Sprintf("slot:%s:%d:%d", venue, d, q)),
				Value: cloudflare.F("{}"),
			})
		}
	}
	_, err := c.cf.KV.Namespaces.BulkUpdate(ctx, c.ns, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(c.account), Body: body}) // want `sends 11520 pairs`
	return err
}

// Quiet: 7 days of 96, well within a request.
func (c *client) prewarmWeek(ctx context.Context, venue string) error {
	var body []kv.NamespaceBulkUpdateParamsBody
	for d := range 7 {
		for q := range 96 {
			body = append(body, kv.NamespaceBulkUpdateParamsBody{
				Key:   cloudflare.F(fmt.Sprintf("slot:%s:%d:%d", venue, d, q)),
				Value: cloudflare.F("{}"),
			})
		}
	}
	_, err := c.cf.KV.Namespaces.BulkUpdate(ctx, c.ns, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(c.account), Body: body})
	return err
}

// A whole array of keys: 192 in one bulk get, where KV takes 100.
func (c *client) inspect(ctx context.Context, keys func(n int) []string) error {
	var ks [192]string
	copy(ks[:], keys(len(ks)))
	_, err := c.cf.KV.Namespaces.BulkGet(ctx, c.ns, kv.NamespaceBulkGetParams{ // want `sends 192 keys`
		AccountID: cloudflare.F(c.account),
		Keys:      cloudflare.F(ks[:]),
	})
	return err
}

// Quiet: 96 keys.
func (c *client) inspectDay(ctx context.Context, keys func(n int) []string) error {
	var ks [96]string
	copy(ks[:], keys(len(ks)))
	_, err := c.cf.KV.Namespaces.BulkGet(ctx, c.ns, kv.NamespaceBulkGetParams{
		AccountID: cloudflare.F(c.account),
		Keys:      cloudflare.F(ks[:]),
	})
	return err
}

// Zones of a fixed array, each with a day of minutes: 8 × 1440.
var fareZones = [...]string{"downtown", "riverside", "university", "harbor", "old-town", "airport", "north", "south"}

func (c *client) publishFares(ctx context.Context) error {
	var body []kv.NamespaceBulkUpdateParamsBody
	for _, zone := range fareZones {
		for m := range 24 * 60 {
			body = append(body, kv.NamespaceBulkUpdateParamsBody{
				Key:   cloudflare.F(fmt.Sprintf("fare:%s:%d", zone, m)),
				Value: cloudflare.F("1"),
			})
		}
	}
	_, err := c.cf.KV.Namespaces.BulkUpdate(ctx, c.ns, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(c.account), Body: body}) // want `sends 11520 pairs`
	return err
}

// Quiet: half the zones, 4 × 1440.
func (c *client) publishFaresNorth(ctx context.Context) error {
	var body []kv.NamespaceBulkUpdateParamsBody
	for _, zone := range fareZones[:4] {
		for m := range 24 * 60 {
			body = append(body, kv.NamespaceBulkUpdateParamsBody{
				Key:   cloudflare.F(fmt.Sprintf("fare:%s:%d", zone, m)),
				Value: cloudflare.F("1"),
			})
		}
	}
	_, err := c.cf.KV.Namespaces.BulkUpdate(ctx, c.ns, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(c.account), Body: body})
	return err
}
