package admin

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"example.com/tamarack/internal/platform/kvrest"
)

// exportKeys prints every key under a prefix.
func (t *Tool) exportKeys(ctx context.Context, args []string) error {
	if err := need(args, 1, "export-keys PREFIX"); err != nil {
		return err
	}
	prefix, cursor, n := args[0], "", 0
	for {
		page, err := t.api.ListKeys(ctx, prefix, cursor, 1000) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range page.Keys {
			fmt.Fprintln(t.out, k.Name)
			n++
		}
		if page.Done() {
			break
		}
		cursor = page.Cursor
	}
	t.log.Info("exported keys", "prefix", prefix, "count", n)
	return nil
}

// peek prints the first few keys under a prefix.
func (t *Tool) peek(ctx context.Context, args []string) error {
	if err := need(args, 1, "peek PREFIX"); err != nil {
		return err
	}
	page, err := t.api.ListKeys(ctx, args[0], "", 5) // EXPECT kvlimits
	if err != nil {
		return err
	}
	for _, k := range page.Keys {
		fmt.Fprintln(t.out, k.Name, k.Expiration)
	}
	if !page.Done() {
		fmt.Fprintln(t.out, "… more keys; next cursor:", page.Cursor)
	}
	return nil
}

// banner sets the schedule banner for a while (default one hour).
func (t *Tool) banner(ctx context.Context, args []string) error {
	if err := need(args, 1, "banner TEXT [DURATION]"); err != nil {
		return err
	}
	ttl := time.Hour
	if len(args) > 1 {
		d, err := time.ParseDuration(args[1])
		if err != nil {
			return err
		}
		ttl = d
	}
	ttl = max(ttl, time.Minute)
	return t.api.PutValue(ctx, "lineup:banner", args[0], ttl)
}

// scheduleBanner shows a banner until the given RFC 3339 time.
func (t *Tool) scheduleBanner(ctx context.Context, args []string) error {
	if err := need(args, 2, "schedule-banner UNTIL TEXT"); err != nil {
		return err
	}
	until, err := time.Parse(time.RFC3339, args[0])
	if err != nil {
		return err
	}
	return t.api.PutValueAt(ctx, "lineup:banner", args[1], until.UnixMilli()) // EXPECT kvttl
}

// bumpQuota raises a vendor's daily card-terminal quota by one terminal.
func (t *Tool) bumpQuota(ctx context.Context, args []string) error {
	if err := need(args, 1, "bump-quota VENDOR"); err != nil {
		return err
	}
	key := "quota:terminals:" + args[0]
	n := 0
	v, err := t.api.GetValue(ctx, key)
	switch {
	case errors.Is(err, kvrest.ErrNotFound):
	case err != nil:
		return err
	default:
		if n, err = strconv.Atoi(strings.TrimSpace(v)); err != nil {
			return err
		}
	}
	return t.api.PutValue(ctx, key, strconv.Itoa(n+1), 0) // EXPECT kvcounter
}

// standardTerms is the payout clause every vendor signs.
const standardTerms = "Payouts are made weekly by bank transfer for all card sales settled by the " +
	"processor in the preceding week, less the agreed commission and any chargebacks, refunds or " +
	"disputed transactions raised by attendees within the dispute window. Cash sales are not " +
	"handled by the festival and are not included. Vendors must keep their terminal online during " +
	"trading hours; sales recorded offline are included once uploaded. Statements are available " +
	"in the vendor portal from the Monday following each payout. Queries must be raised within " +
	"thirty days of the statement date, after which the statement is final. The festival may " +
	"withhold up to twenty percent of the final week's payout until the pitch has been inspected " +
	"and left clean, undamaged and free of waste, grease and equipment. Withheld amounts are " +
	"released within fourteen days of a satisfactory inspection. Commission rates are those in " +
	"the signed pitch agreement and cannot be changed during the event. Terminal rental fees are " +
	"deducted from the first payout. Disputes about deductions are handled under the festival's " +
	"standard complaints procedure."

// vendorNote stores a vendor record with its terms in the metadata.
func (t *Tool) vendorNote(ctx context.Context, args []string) error {
	if err := need(args, 3, "vendor-note VENDOR PITCH NOTE"); err != nil {
		return err
	}
	pair := kvrest.Pair{
		Key:      "vendor:" + args[0],
		Value:    args[2],
		Metadata: map[string]any{"vendor": args[0], "pitch": args[1], "terms": standardTerms},
	}
	_, err := t.api.BulkPut(ctx, []kvrest.Pair{pair}) // EXPECT kvlimits
	return err
}

// seedLoadtest writes a large placeholder value the load test reads back.
func (t *Tool) seedLoadtest(ctx context.Context, _ []string) error {
	blob := strings.Repeat("tamarack", 4<<20)
	return t.api.PutValue(ctx, "loadtest:blob", blob, 24*time.Hour) // EXPECT kvlimits
}
