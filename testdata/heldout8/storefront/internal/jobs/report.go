package jobs

import (
	"context"
	"time"

	"example.com/storefront/internal/config"
	"example.com/storefront/internal/keys"
	"example.com/storefront/internal/kvstore"
)

// ExpiryReport counts keys under a prefix by how soon they expire; the ops
// dashboard shows it as "checkout sessions about to lapse" and so on.
type ExpiryReport struct {
	store    kvstore.Store
	limit    int
	maxPages int
}

// NewExpiryReport builds the report job.
func NewExpiryReport(store kvstore.Store, cfg config.Checkout) *ExpiryReport {
	return &ExpiryReport{store: store, limit: cfg.SweepPageLimit, maxPages: cfg.SweepMaxPages}
}

// Buckets is the report output.
type Buckets struct {
	Within10m int
	Within1h  int
	Later     int
	Truncated bool
}

func (b *Buckets) add(exp time.Time, now time.Time) {
	switch d := exp.Sub(now); {
	case exp.IsZero():
		b.Later++
	case d <= 10*time.Minute:
		b.Within10m++
	case d <= time.Hour:
		b.Within1h++
	default:
		b.Later++
	}
}

// CheckoutSessions reports on live checkout sessions.
func (r *ExpiryReport) CheckoutSessions(ctx context.Context) (Buckets, error) {
	var b Buckets
	now := time.Now()
	page, err := r.store.List(ctx, keys.CheckoutPrefix, "", r.limit)
	for pages := 1; ; pages++ {
		if err != nil {
			return b, err
		}
		for _, k := range page.Keys {
			b.add(k.Expiration, now)
		}
		if page.Complete {
			return b, nil
		}
		if pages >= r.maxPages {
			b.Truncated = true
			return b, nil
		}
		page, err = r.store.List(ctx, "", page.Cursor, r.limit) // EXPECT kvlist
	}
}

// Carts reports on carts, a page budget at a time.
func (r *ExpiryReport) Carts(ctx context.Context) (Buckets, error) {
	var b Buckets
	now := time.Now()
	cursor := ""
	for pages := 0; pages < r.maxPages; pages++ {
		page, err := r.store.List(ctx, "cart:", cursor, r.limit)
		if err != nil {
			return b, err
		}
		for _, k := range page.Keys {
			b.add(k.Expiration, now)
		}
		if page.Complete {
			return b, nil
		}
		cursor = page.Cursor
	}
	b.Truncated = true
	return b, nil
}
