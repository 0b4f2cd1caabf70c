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
