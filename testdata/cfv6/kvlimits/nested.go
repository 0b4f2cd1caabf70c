package kvlimits

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"

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

// The pairs built in a counted loop and sent by a goroutine while the
// caller waits: 16,384 pairs in one request.
func (c *client) seedShards(ctx context.Context) error {
	const shards = 16_384
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, shards)
	for i := range shards {
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:   cloudflare.F(fmt.Sprintf("shard:%d", i)),
			Value: cloudflare.F("{}"),
		})
	}
	done := make(chan error, 1)
	go func() {
		_, err := c.cf.KV.Namespaces.BulkUpdate(ctx, c.ns, kv.NamespaceBulkUpdateParams{ // want `this bulk write sends 16384 pairs`
			AccountID: cloudflare.F(c.account),
			Body:      body,
		})
		done <- err
	}()
	return <-done
}

// Quiet: the goroutine sends each chunk of 1,000 on its own.
func (c *client) seedShardsInChunks(ctx context.Context) error {
	const shards = 16_384
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, shards)
	for i := range shards {
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:   cloudflare.F(fmt.Sprintf("shard:%d", i)),
			Value: cloudflare.F("{}"),
		})
	}
	done := make(chan error, 1)
	go func() {
		for chunk := range slices.Chunk(body, 1000) {
			if _, err := c.cf.KV.Namespaces.BulkUpdate(ctx, c.ns, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(c.account), Body: chunk}); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	return <-done
}

// Quiet, and no endless search: rows read until the input ends, some
// skipped, so that the slice passes between the loop's head and its
// latch; how many there are is not known here.
func (c *client) importRows(ctx context.Context, rd *csv.Reader) error {
	var body []kv.NamespaceBulkUpdateParamsBody
	for line := 1; ; line++ {
		rec, err := rd.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil || rec[0] == "" {
			continue
		}
		body = append(body, kv.NamespaceBulkUpdateParamsBody{Key: cloudflare.F("row:" + rec[0]), Value: cloudflare.F(rec[1])})
	}
	_, err := c.cf.KV.Namespaces.BulkUpdate(ctx, c.ns, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(c.account), Body: body})
	return err
}
