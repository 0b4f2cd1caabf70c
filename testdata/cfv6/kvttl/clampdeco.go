package kvttl

import (
	"context"
	"time"

	"kvlint.test/cfv6/clampdeco"
	"kvlint.test/cfv6/clampdeco/deco"
)

// A lifetime given to a decorator that raises it to a minute is fine;
// the same lifetime given to the store itself, or to a decorator that
// passes it on as it is, is not.
func holdPlot(ctx context.Context, st *clampdeco.Store, clamped *deco.Clamped, logged *deco.Logged, plot string) error {
	if err := clamped.Put(ctx, "hold:"+plot, "1", clampdeco.WithTTL(20*time.Second)); err != nil {
		return err
	}
	opts := []clampdeco.PutOption{clampdeco.WithTTL(15 * time.Second)}
	if err := clamped.Put(ctx, "hold2:"+plot, "1", opts...); err != nil {
		return err
	}
	if err := logged.Put(ctx, "grace:"+plot, "1", clampdeco.WithTTL(25*time.Second)); err != nil { // want `ExpirationTTL 25 \(passed to clampdeco.WithTTL`
		return err
	}
	return st.Put(ctx, "grace:"+plot, "1", clampdeco.WithTTL(30*time.Second)) // want `ExpirationTTL 30 \(passed to clampdeco.WithTTL`
}

// A decorator whose floor is under a minute leaves the lifetime illegal.
func holdLow(ctx context.Context, low *deco.LowClamped, plot string) error {
	return low.Put(ctx, "hold3:"+plot, "1", clampdeco.WithTTL(20*time.Second)) // want `ExpirationTTL 20 \(passed to clampdeco.WithTTL`
}
