// Package settlement builds the nightly courier-pay exports from the
// delivery records the order actors leave in KV.
package settlement

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"github.com/kereru-dispatch/kereru/internal/kvstore"
)

// Delivery is one delivery as settled.
type Delivery struct {
	OrderID   string `json:"order_id"`
	CourierID string `json:"courier_id"`
	ZoneID    string `json:"zone_id"`
	FeeCents  int64  `json:"fee_cents"`
	TipCents  int64  `json:"tip_cents"`
}

// Rates are the per-zone pay rates, edited by finance.
type Rates struct {
	BaseCents    map[string]int64 `json:"base_cents"`
	PerKmCents   int64            `json:"per_km_cents"`
	SurgeSharePc int              `json:"surge_share_pc"`
}

// Line is one row of a courier's export.
type Line struct {
	CourierID  string `json:"courier_id"`
	Deliveries int    `json:"deliveries"`
	TotalCents int64  `json:"total_cents"`
}

// payoutTerms is attached to every export for the payroll provider.
const payoutTerms = "Kereru Dispatch Ltd courier payout statement. Amounts are in cents and include " +
	"delivery fees, distance supplements and the courier's share of zone surge, less platform " +
	"adjustments agreed in the courier services agreement (version 7, clause 12). Tips are passed " +
	"through in full and are not subject to platform adjustments. Disputes must be raised through " +
	"the courier app within fourteen days of the statement date; after that the statement is final " +
	"for the pay period. Figures are computed from delivery records as they stood at the time of " +
	"export and may be corrected on the following statement if a delivery is later refunded or " +
	"reassigned. Payments are made by bank transfer on the second business day after the export. " +
	"Couriers operating as companies must supply a GST number for invoices to be generated on their " +
	"behalf; otherwise the platform issues a buyer-created tax invoice under the standard terms. " +
	"Questions about this statement can be sent to payroll@kereru.example from the email address " +
	"registered in the courier app. This statement is generated automatically and is not signed."

// Exporter runs settlement jobs.
type Exporter struct {
	KV *kvstore.Client
}

func dayPrefix(day time.Time) string { return "delivery:" + day.UTC().Format("20060102") + ":" }

// ExportDay reads every delivery of day and writes one line per courier.
func (e *Exporter) ExportDay(ctx context.Context, day time.Time) ([]Line, error) {
	ns := e.KV.ID(kvstore.Orders)
	byCourier := map[string]*Line{}
	cursor := ""
	for {
		resp, err := e.KV.ListWorkersKVKeys(ctx, e.KV.RC(), cloudflare.ListWorkersKVsParams{ // EXPECT kvlist
			NamespaceID: ns,
			Prefix:      dayPrefix(day),
			Cursor:      cursor,
			Limit:       1000,
		})
		if err != nil {
			return nil, err
		}
		for _, k := range resp.Result {
			raw, err := e.KV.GetWorkersKV(ctx, e.KV.RC(), cloudflare.GetWorkersKVParams{NamespaceID: ns, Key: k.Name}) // EXPECT kvlist
			if err != nil {
				return nil, fmt.Errorf("read %s: %w", k.Name, err)
			}
			var d Delivery
			if err := json.Unmarshal(raw, &d); err != nil {
				continue
			}
			l := byCourier[d.CourierID]
			if l == nil {
				l = &Line{CourierID: d.CourierID}
				byCourier[d.CourierID] = l
			}
			l.Deliveries++
			l.TotalCents += d.FeeCents + d.TipCents
			_ = e.KV.Put(ctx, kvstore.Settlement, "settle:export:progress", []byte(k.Name)) // EXPECT kvhotkey
		}
		if resp.Cursor == "" {
			break
		}
		cursor = resp.Cursor
	}
	lines := make([]Line, 0, len(byCourier))
	for _, l := range byCourier {
		lines = append(lines, *l)
	}
	slices.SortFunc(lines, func(a, b Line) int { return strings.Compare(a.CourierID, b.CourierID) })
	return lines, nil
}

// Publish writes the export lines, one key per courier, and the day's
// manifest.
func (e *Exporter) Publish(ctx context.Context, day time.Time, lines []Line) error {
	stamp := day.UTC().Format("20060102")
	pairs := make([]*cloudflare.WorkersKVPair, 0, len(lines)+1)
	total := 0
	for _, l := range lines {
		body, _ := json.Marshal(l)
		pairs = append(pairs, &cloudflare.WorkersKVPair{
			Key:           fmt.Sprintf("export:%s:%s", stamp, l.CourierID),
			Value:         string(body),
			ExpirationTTL: 90 * 24 * 3600,
		})
		total += l.Deliveries
	}
	pairs = append(pairs, &cloudflare.WorkersKVPair{
		Key:   "export:" + stamp + ":manifest",
		Value: strconv.Itoa(len(lines)),
		Metadata: map[string]string{
			"terms": payoutTerms, // EXPECT kvlimits
			"day":   stamp,
		},
	})
	for chunk := range slices.Chunk(pairs, 10_000) {
		if err := e.KV.PutMany(ctx, kvstore.Settlement, chunk); err != nil {
			return err
		}
	}
	return e.KV.Put(ctx, kvstore.Settlement, "settle:"+stamp+":delivered_count", []byte(strconv.Itoa(total))) // DEBATABLE kvcounter
}

// CourierHistory returns up to maxPages pages of a courier's exports, using
// the key names only.
func (e *Exporter) CourierHistory(ctx context.Context, courierID string, maxPages int) ([]string, error) {
	var days []string
	cursor := ""
	for page := 0; page < maxPages; page++ {
		p, err := e.KV.ListPage(ctx, kvstore.Settlement, "export:", cursor, 1000)
		if err != nil {
			return nil, err
		}
		for _, k := range p.Keys {
			if strings.HasSuffix(k.Name, ":"+courierID) {
				days = append(days, strings.Split(k.Name, ":")[1])
			}
		}
		if p.Cursor == "" {
			break
		}
		cursor = p.Cursor
	}
	return days, nil
}

// PendingDays lists the days whose export has not been acknowledged by the
// payroll provider.
func (e *Exporter) PendingDays(ctx context.Context) ([]string, error) {
	resp, err := e.KV.ListWorkersKVKeys(ctx, e.KV.RC(), cloudflare.ListWorkersKVsParams{ // EXPECT kvlist
		NamespaceID: e.KV.ID(kvstore.Settlement),
		Prefix:      "pending:",
	})
	if err != nil {
		return nil, err
	}
	days := make([]string, 0, len(resp.Result))
	for _, k := range resp.Result {
		days = append(days, strings.TrimPrefix(k.Name, "pending:"))
	}
	return days, nil
}

// AppendLedger adds one line to the courier's running ledger text.
func (e *Exporter) AppendLedger(ctx context.Context, courierID string, l Line, day time.Time) error {
	key := "ledger:" + courierID
	old, err := e.KV.Get(ctx, kvstore.Settlement, key)
	if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	row := fmt.Sprintf("%s\t%d\t%d\n", day.Format("2006-01-02"), l.Deliveries, l.TotalCents)
	return e.KV.Put(ctx, kvstore.Settlement, key, append(old, row...)) // EXPECT kvrace
}

// LoadRates returns finance's pay rates.
func (e *Exporter) LoadRates(ctx context.Context) (Rates, error) {
	raw, _ := e.KV.GetWorkersKV(ctx, e.KV.RC(), cloudflare.GetWorkersKVParams{ // EXPECT kvnull
		NamespaceID: e.KV.ID(kvstore.Settlement),
		Key:         "rates:current",
	})
	var r Rates
	if err := json.Unmarshal(raw, &r); err != nil {
		return Rates{}, fmt.Errorf("rates: %w", err)
	}
	return r, nil
}

// ledgerShards is the number of ledger shards payroll reconciles against.
const ledgerShards = 1 << 14

// ResetShards clears every reconciliation shard at the start of a pay period.
func (e *Exporter) ResetShards(ctx context.Context, period string) error {
	pairs := make([]*cloudflare.WorkersKVPair, 0, ledgerShards)
	for i := range ledgerShards {
		pairs = append(pairs, &cloudflare.WorkersKVPair{Key: fmt.Sprintf("shard:%s:%05d", period, i), Value: "[]"})
	}
	_, err := e.KV.WriteWorkersKVEntries(ctx, e.KV.RC(), cloudflare.WriteWorkersKVEntriesParams{ // EXPECT kvlimits
		NamespaceID: e.KV.ID(kvstore.Settlement),
		KVs:         pairs,
	})
	return err
}

// Archive removes a day's export keys once payroll has acknowledged them,
// deleting at most budget keys per run.
func (e *Exporter) Archive(ctx context.Context, day time.Time, budget int) (int, error) {
	stamp := day.UTC().Format("20060102")
	prefix := "export:" + stamp + ":"
	moved := 0
	cursor := ""
	for moved < budget {
		p, err := e.KV.ListPage(ctx, kvstore.Settlement, prefix, cursor, 100)
		if err != nil {
			return moved, err
		}
		keys := make([]string, 0, len(p.Keys))
		for _, k := range p.Keys {
			keys = append(keys, k.Name)
		}
		if len(keys) > 0 {
			if err := e.KV.DeleteMany(ctx, kvstore.Settlement, keys); err != nil {
				return moved, err
			}
			moved += len(keys)
		}
		if p.Cursor == "" {
			break
		}
		cursor = p.Cursor
	}
	return moved, nil
}
