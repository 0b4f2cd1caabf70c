// Package seats holds seats through the Leases port, whose options the
// adapter converts with a helper of the port's package.
package seats

import (
	"context"
	"time"

	"kvlint.test/ports/store"
)

func Hold(ctx context.Context, l store.Leases, seat string) error {
	return l.Lease(ctx, "hold:"+seat, []byte("1"), store.For(20*time.Second)) // kvttl
}

func HoldUntil(ctx context.Context, l store.Leases, seat string, doorsClose time.Time) error {
	return l.Lease(ctx, "hold:"+seat, []byte("1"), store.For(time.Until(doorsClose))) // kvttl
}

func HoldLonger(ctx context.Context, l store.Leases, seat string) error {
	return l.Lease(ctx, "hold:"+seat, []byte("1"), store.For(10*time.Minute))
}

// The moment is moved up to an hour ahead before the countdown to it.
func HoldAtLeastAnHour(ctx context.Context, l store.Leases, seat string, until time.Time) error {
	if until.Before(time.Now().Add(time.Hour)) {
		until = time.Now().Add(time.Hour)
	}
	return l.Lease(ctx, "hold:"+seat, []byte("1"), store.For(time.Until(until)))
}
