package metering

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/cloudflare/cloudflare-go"

	"github.com/dunlin-dev/dunlin/internal/kvstore"
)

const (
	maxRollupPages = 50
	rollupPageSize = 5000
	// slotsPerWeek is the number of minute slots of the weekly rate card.
	slotsPerWeek = 7 * 24 * 60
	// rollupRetention keeps daily rollups for the billing dispute window.
	rollupRetention = 400 * 24 * time.Hour
)

// Rollup is the handler of the scheduled metering Lambda. EventBridge
// invokes it with detail-type "dunlin.rollup.daily" at 00:15 UTC and
// "dunlin.ratecard.weekly" on Sundays.
type Rollup struct {
	usage   *kvstore.Namespace
	reports *kvstore.Namespace
}

func NewRollup(usage, reports *kvstore.Namespace) *Rollup {
	return &Rollup{usage: usage, reports: reports}
}

func (r *Rollup) Handle(ctx context.Context, ev events.EventBridgeEvent) error {
	switch ev.DetailType {
	case "dunlin.rollup.daily":
		return r.daily(ctx, ev.Time.UTC().AddDate(0, 0, -1))
	case "dunlin.ratecard.weekly":
		return r.rateCard(ctx)
	default:
		return fmt.Errorf("rollup: unexpected detail-type %q", ev.DetailType)
	}
}

// daily sums yesterday's per-metric usage into one rollup per tenant.
func (r *Rollup) daily(ctx context.Context, day time.Time) error {
	stamp := day.Format("20060102")
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(5 * time.Minute)
	}
	statusKey := "rollup-status:" + stamp
	if err := r.reports.PutTTL(ctx, statusKey, []byte("running"), time.Until(deadline)); err != nil { // EXPECT kvttl
		return err
	}

	totals := make(map[string]int64)
	cursor := ""
	for page := 0; page < maxRollupPages; page++ {
		keys, next, err := r.usage.Page(ctx, "usage:", cursor, rollupPageSize) // EXPECT kvlimits
		if err != nil {
			return err
		}
		for _, k := range keys {
			if !strings.HasSuffix(k.Name, ":"+stamp) {
				continue
			}
			raw, err := r.usage.Get(ctx, k.Name) // EXPECT kvlist
			if err != nil {
				return err
			}
			n, err := strconv.ParseInt(string(raw), 10, 64)
			if err != nil {
				return fmt.Errorf("rollup: %s: %w", k.Name, err)
			}
			parts := strings.Split(k.Name, ":") // usage:<tenant>:<metric>:<day>
			totals[parts[1]+":"+parts[2]] += n
		}
		if next == "" {
			break
		}
		cursor = next
	}

	expires := int(day.Add(rollupRetention).Unix())
	pairs := make([]*cloudflare.WorkersKVPair, 0, len(totals))
	for tm, n := range totals {
		pairs = append(pairs, &cloudflare.WorkersKVPair{
			Key:        "rollup:" + tm + ":" + stamp,
			Value:      strconv.FormatInt(n, 10),
			Expiration: expires,
		})
	}
	for start := 0; start < len(pairs); start += kvstore.MaxBulk {
		if err := r.reports.PutMany(ctx, pairs[start:min(start+kvstore.MaxBulk, len(pairs))]); err != nil {
			return err
		}
	}
	return r.reports.Put(ctx, statusKey, []byte("done"))
}

// rateFor is the price multiplier of a minute slot of the week: weekday
// working hours (UTC) are peak.
func rateFor(slot int) string {
	day, minute := slot/(24*60), slot%(24*60)
	if day >= 1 && day <= 5 && minute >= 8*60 && minute < 18*60 {
		return "1.25"
	}
	return "1.00"
}

// rateCard publishes the weekly rate card that the edge reads per request.
func (r *Rollup) rateCard(ctx context.Context) error {
	pairs := make([]*cloudflare.WorkersKVPair, 0, slotsPerWeek)
	for slot := range slotsPerWeek {
		pairs = append(pairs, &cloudflare.WorkersKVPair{
			Key:   fmt.Sprintf("rate:%05d", slot),
			Value: rateFor(slot),
		})
	}
	return r.reports.PutMany(ctx, pairs) // EXPECT kvlimits
}
