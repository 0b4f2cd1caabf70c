package ratelimit

import (
	"context"
	"errors"
	"strconv"
	"time"

	"example.com/juniper/internal/kvstore"
)

// ErrQuotaExceeded is returned when a venue has used its plan's bookings.
var ErrQuotaExceeded = errors.New("ratelimit: monthly booking quota exhausted")

// Billing is the plan/usage system of record.
type Billing interface {
	Usage(ctx context.Context, venueID, month string) (used, limit int, err error)
	RecordBooking(ctx context.Context, venueID, month string) error
}

// Quota mirrors each venue's monthly usage into KV so the booking widget
// can show "fully booked" without a round trip to billing.
type Quota struct {
	store   kvstore.Store
	billing Billing
	now     func() time.Time
}

// NewQuota wires the quota checker.
func NewQuota(store kvstore.Store, billing Billing) *Quota {
	return &Quota{store: store, billing: billing, now: time.Now}
}

func (q *Quota) month() string { return q.now().UTC().Format("2006-01") }

func quotaKey(venueID, month string) string { return "quota/" + venueID + "/" + month }

// Consume books one unit of venueID's quota.
func (q *Quota) Consume(ctx context.Context, venueID string) error {
	month := q.month()
	used, limit, err := q.billing.Usage(ctx, venueID, month)
	if err != nil {
		return err
	}
	if used >= limit {
		return ErrQuotaExceeded
	}
	if err := q.billing.RecordBooking(ctx, venueID, month); err != nil {
		return err
	}
	return q.store.Put(ctx, quotaKey(venueID, month), []byte(strconv.Itoa(used+1)), kvstore.WithTTL(40*24*time.Hour)) // EXPECT kvcounter
}

// Used returns the mirrored usage for the current month (0 if none yet).
func (q *Quota) Used(ctx context.Context, venueID string) (int, error) {
	b, err := q.store.Get(ctx, quotaKey(venueID, q.month()))
	if errors.Is(err, kvstore.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(string(b))
}
