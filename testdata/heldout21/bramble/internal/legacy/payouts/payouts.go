// Package payouts computes courier payouts from per-day delivery tallies. It
// runs as a nightly job on the legacy namespace through the original
// Cloudflare client.
package payouts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"strconv"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"

	"example.com/bramble/internal/ids"
)

// Rates converts deliveries to money.
type Rates struct {
	PerDeliveryCents int64
	BonusThreshold   int
	BonusCents       int64
}

// Payout is one courier's result for a day.
type Payout struct {
	Courier    ids.CourierID `json:"courier"`
	Day        string        `json:"day"`
	Deliveries int           `json:"deliveries"`
	TotalCents int64         `json:"total_cents"`
}

// Compute applies rates to a delivery count.
func (r Rates) Compute(c ids.CourierID, day string, deliveries int) Payout {
	total := int64(deliveries) * r.PerDeliveryCents
	if r.BonusThreshold > 0 && deliveries >= r.BonusThreshold {
		total += r.BonusCents
	}
	return Payout{Courier: c, Day: day, Deliveries: deliveries, TotalCents: total}
}

// Job reads tallies and writes payouts.
type Job struct {
	api   *cloudflare.API
	rc    *cloudflare.ResourceContainer
	ns    string
	rates Rates
}

// New returns a payout job over the legacy namespace.
func New(api *cloudflare.API, accountID, namespaceID string, rates Rates) *Job {
	return &Job{api: api, rc: cloudflare.AccountIdentifier(accountID), ns: namespaceID, rates: rates}
}

func tallyKey(c ids.CourierID, day string) string { return "deliveries:" + day + ":" + c.String() }

// RecordDelivery adds one delivery to today's tally for the courier. It is
// called by the order service's delivered hook.
func (j *Job) RecordDelivery(ctx context.Context, c ids.CourierID, at time.Time) error {
	key := tallyKey(c, at.UTC().Format(time.DateOnly))
	raw, _ := j.api.GetWorkersKV(ctx, j.rc, cloudflare.GetWorkersKVParams{NamespaceID: j.ns, Key: key}) // EXPECT kvnull
	n, _ := strconv.Atoi(string(raw))
	_, err := j.api.WriteWorkersKVEntry(ctx, j.rc, cloudflare.WriteWorkersKVEntryParams{ // EXPECT kvcounter
		NamespaceID: j.ns,
		Key:         key,
		Value:       []byte(strconv.Itoa(n + 1)),
	})
	return err
}

func (j *Job) deliveries(ctx context.Context, c ids.CourierID, day string) (int, error) {
	raw, err := j.api.GetWorkersKV(ctx, j.rc, cloudflare.GetWorkersKVParams{NamespaceID: j.ns, Key: tallyKey(c, day)})
	var nf *cloudflare.NotFoundError
	switch {
	case err == nil:
		return strconv.Atoi(string(raw))
	case errors.As(err, &nf):
		return 0, nil
	default:
		return 0, err
	}
}

// Run computes and stores payouts for the couriers who worked on day.
func (j *Job) Run(ctx context.Context, day string, couriers []ids.CourierID) ([]Payout, error) {
	payouts := make([]Payout, 0, len(couriers))
	var total int64
	for i, c := range couriers {
		n, err := j.deliveries(ctx, c, day)
		if err != nil {
			return payouts, fmt.Errorf("tally for %s: %w", c, err)
		}
		p := j.rates.Compute(c, day, n)
		body, _ := json.Marshal(p)
		if _, err := j.api.WriteWorkersKVEntry(ctx, j.rc, cloudflare.WriteWorkersKVEntryParams{
			NamespaceID: j.ns,
			Key:         "payout:" + day + ":" + c.String(),
			Value:       body,
		}); err != nil {
			return payouts, err
		}
		payouts = append(payouts, p)
		total += p.TotalCents
		progress := fmt.Sprintf(`{"day":%q,"done":%d,"of":%d}`, day, i+1, len(couriers))
		if _, err := j.api.WriteWorkersKVEntry(ctx, j.rc, cloudflare.WriteWorkersKVEntryParams{ // EXPECT kvhotkey
			NamespaceID: j.ns,
			Key:         "payouts:progress",
			Value:       []byte(progress),
		}); err != nil {
			log.Printf("payouts: progress: %v", err)
		}
	}
	summary, _ := json.Marshal(map[string]any{"day": day, "couriers": len(payouts), "total_cents": total, "finished": time.Now().UTC()})
	_, err := j.api.WriteWorkersKVEntry(ctx, j.rc, cloudflare.WriteWorkersKVEntryParams{
		NamespaceID: j.ns,
		Key:         "payouts:summary:" + day,
		Value:       summary,
	})
	return payouts, err
}

// Purge removes the tallies of a settled day.
func (j *Job) Purge(ctx context.Context, day string, couriers []ids.CourierID) error {
	keys := make([]string, 0, len(couriers))
	for _, c := range couriers {
		keys = append(keys, tallyKey(c, day))
	}
	for start := 0; start < len(keys); start += 10_000 {
		end := min(start+10_000, len(keys))
		if _, err := j.api.DeleteWorkersKVEntries(ctx, j.rc, cloudflare.DeleteWorkersKVEntriesParams{
			NamespaceID: j.ns,
			Keys:        keys[start:end],
		}); err != nil {
			return err
		}
	}
	return nil
}
