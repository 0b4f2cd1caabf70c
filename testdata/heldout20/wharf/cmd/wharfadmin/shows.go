package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"slices"
	"time"

	"example.com/wharf/internal/cfadmin"
)

// arenaSeats is the seat count of the largest configured arena layout.
const arenaSeats = 15_000

// termsOfSale is shown with every ticket listing and is attached to the
// terms key so that staff tools can list it without a second read.
const termsOfSale = `All sales are final. Tickets are non-transferable except through the
official fan-to-fan resale exchange, which caps resale at face value plus fees.
Entry requires the mobile ticket shown on the purchaser's own device together with
photo identification matching the purchaser's name. Doors open ninety minutes before
the advertised start; the running order is subject to change without notice. No
refunds will be issued for changes to the support acts, the set list, or the duration
of the performance. If the event is cancelled, refunds are issued automatically to the
original payment method within fourteen business days. If the event is postponed, your
tickets remain valid for the new date; refund requests must be made within thirty days
of the announcement. Bags larger than A4 are not permitted. Professional cameras,
recording devices, laser pointers and umbrellas will be refused at the gate. The venue
operates a zero-tolerance policy toward touts; tickets found listed on unauthorised
resale platforms may be cancelled without refund. By purchasing you agree to be filmed
as part of the audience for broadcast and promotional use.`

func cmdAuditReferrals(ctx context.Context, c *cfadmin.Client, args []string) error {
	fs := flag.NewFlagSet("audit-referrals", flag.ContinueOnError)
	pages := fs.Int("pages", 5, "list at most this many pages")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var names []string
	cursor := ""
	for range max(*pages, 1) {
		page, err := c.ListKeys(ctx, "ref:", cursor, 1000)
		if err != nil {
			return err
		}
		for _, k := range page.Keys {
			names = append(names, k.Name)
		}
		if page.Cursor == "" {
			break
		}
		cursor = page.Cursor
	}
	exhausted := 0
	for batch := range slices.Chunk(names, 250) {
		vals, err := c.BulkGet(ctx, batch) // EXPECT kvlimits
		if err != nil {
			return err
		}
		for _, name := range batch {
			v := vals[name]
			if v == nil {
				continue
			}
			var rc struct {
				Uses    int `json:"uses"`
				MaxUses int `json:"max_uses"`
			}
			if err := json.Unmarshal([]byte(*v), &rc); err != nil {
				fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
				continue
			}
			if rc.Uses >= rc.MaxUses {
				exhausted++
			}
		}
	}
	fmt.Printf("%d codes, %d exhausted\n", len(names), exhausted)
	return nil
}

func cmdResetArena(ctx context.Context, c *cfadmin.Client, args []string) error {
	fs := flag.NewFlagSet("reset-arena", flag.ContinueOnError)
	ttl := fs.Duration("ttl", 48*time.Hour, "keep seat state this long")
	if err := parse(fs, args, 1); err != nil {
		return err
	}
	drop := fs.Arg(0)
	seats := make([]cfadmin.BulkPair, arenaSeats)
	for i := range seats {
		seats[i] = cfadmin.BulkPair{
			Key:           fmt.Sprintf("seat:%s:%05d", drop, i+1),
			Value:         "open",
			ExpirationTTL: int64(max(*ttl, time.Hour) / time.Second),
		}
	}
	res, err := c.BulkWrite(ctx, seats) // EXPECT kvlimits
	if err != nil {
		return err
	}
	fmt.Printf("reset %d seats, %d failed\n", res.SuccessfulKeyCount, len(res.UnsuccessfulKeys))
	return nil
}

func cmdPutTerms(ctx context.Context, c *cfadmin.Client, args []string) error {
	fs := flag.NewFlagSet("put-terms", flag.ContinueOnError)
	if err := parse(fs, args, 2); err != nil {
		return err
	}
	body, err := os.ReadFile(fs.Arg(1))
	if err != nil {
		return err
	}
	return c.PutWithMetadata(ctx, "terms:"+fs.Arg(0), body,
		map[string]string{"summary": termsOfSale, "version": "2026.1"}, // EXPECT kvlimits
		0)
}
