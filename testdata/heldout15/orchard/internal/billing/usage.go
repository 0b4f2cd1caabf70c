package billing

import (
	"context"
	"fmt"
	"time"

	"example.com/orchard/internal/enc"
	"example.com/orchard/internal/ids"
	"example.com/orchard/internal/kvstore"
)

// Meter adds n calls to the account's usage for the current month and
// returns ErrQuotaExceeded once the plan's allowance is used.
func (b *Billing) Meter(ctx context.Context, acct ids.AccountID, n uint64) error {
	month := time.Now().UTC().Format("200601")
	key := fmt.Sprintf(b.keys.Quota, acct, month)
	var used uint64
	raw, err := b.usage.Get(ctx, key)
	switch {
	case err == nil:
		if used, err = enc.Uvarint(raw); err != nil {
			return fmt.Errorf("billing: usage %s: %w", key, err)
		}
	case !kvstore.IsNotFound(err):
		return err
	}
	plan, err := b.PlanFor(ctx, acct)
	if err != nil {
		return err
	}
	if used+n > plan.MonthlyCalls {
		return ErrQuotaExceeded
	}
	return b.usage.Put(ctx, key, enc.PutUvarint(used+n), kvstore.PutOptions{ // EXPECT kvcounter
		TTL: 40 * 24 * time.Hour,
	})
}
