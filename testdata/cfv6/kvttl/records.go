package kvttl

import (
	"context"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"

	"kvlint.test/cfv6/numeric"
	"kvlint.test/cfv6/records"
)

// Records that give their own lifetime to a generic Save of another
// package: the lifetime is reported where the record's method, or the
// policy it asks, returns it.

type plan int

const (
	planFree plan = iota
	planPro
	planTrial
)

func (p plan) quoteLifetime() time.Duration {
	switch p {
	case planPro:
		return time.Hour
	case planTrial:
		return 30 * time.Second // want `ExpirationTTL 30 \(passed to records.Save\) is below KV's 60-second minimum`
	default:
		return 10 * time.Minute
	}
}

type quoteRecord struct {
	ID   string
	Plan plan
}

func (q quoteRecord) Key() string        { return "quote:" + q.ID }
func (q quoteRecord) TTL() time.Duration { return q.Plan.quoteLifetime() }

func saveQuote(ctx context.Context, client *cloudflare.Client, id string, p plan) error {
	return records.Save(ctx, client, quoteRecord{ID: id, Plan: p})
}

type badge struct{ ID string }

func (b badge) Key() string        { return "badge:" + b.ID }
func (b badge) TTL() time.Duration { return 15 * time.Second } // want `ExpirationTTL 15 \(passed to records.Save\) is below`

func saveBadge(ctx context.Context, client *cloudflare.Client, id string) error {
	return records.Save(ctx, client, &badge{ID: id})
}

// Quiet: every lifetime the record can give is a minute or more.

type receipt struct {
	ID   string
	Days int
}

func (r receipt) Key() string { return "receipt:" + r.ID }
func (r receipt) TTL() time.Duration {
	if r.Days > 0 {
		return time.Duration(r.Days) * 24 * time.Hour
	}
	return time.Hour
}

func saveReceipt(ctx context.Context, client *cloudflare.Client, r receipt) error {
	return records.Save(ctx, client, r)
}

// A countdown kept between a minute and an hour by a helper of another
// package: quiet.
func saveHold(ctx context.Context, client *cloudflare.Client, id string, eta time.Time) error {
	return putFor(ctx, client, "hold:"+id, "held", numeric.Clamp(time.Until(eta), time.Minute, time.Hour))
}

func saveHoldBetween(ctx context.Context, client *cloudflare.Client, id string, eta time.Time) error {
	return putFor(ctx, client, "hold:"+id, "held", numeric.Between(time.Until(eta.Add(5*time.Minute)), time.Minute, time.Hour))
}
