// Package seats holds seats through the Leases port, whose options the
// adapter converts with a helper of the port's package.
package seats

import (
	"context"
	"time"

	"kvlint.test/ports/spans"
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

// Kept between a minute and an hour by a helper of another package.
func HoldBetween(ctx context.Context, l store.Leases, seat string, until time.Time) error {
	return l.Lease(ctx, "hold:"+seat, []byte("1"), store.For(spans.Clamp(time.Until(until), time.Minute, time.Hour)))
}

func holdFor(ctx context.Context, l store.Leases, seat string, ttl time.Duration) error {
	if ttl <= 0 {
		return nil
	}
	return l.Lease(ctx, "hold:"+seat, []byte("1"), store.For(ttl))
}

// The same, through a helper of this package.
func HoldBetweenVia(ctx context.Context, l store.Leases, seat string, until time.Time) error {
	ttl := spans.Clamp(time.Until(until), time.Minute, time.Hour)
	return holdFor(ctx, l, seat, ttl)
}
