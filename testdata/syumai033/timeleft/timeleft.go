// Package timeleft derives lifetimes from the request and from upstream
// responses; it does not use KV itself.
package timeleft

import (
	"context"
	"net/http"
	"time"
)

// FromDeadline is the time left before ctx gives up, or def when it has
// no deadline.
func FromDeadline(ctx context.Context, def time.Duration) time.Duration {
	if deadline, ok := ctx.Deadline(); ok {
		return time.Until(deadline)
	}
	return def
}

// AtLeastMinute is FromDeadline never below a minute.
func AtLeastMinute(ctx context.Context, def time.Duration) time.Duration {
	return max(FromDeadline(ctx, def), time.Minute)
}

// ExpiresIn is how long until the Expires header of h.
func ExpiresIn(h http.Header) (time.Duration, bool) {
	t, err := http.ParseTime(h.Get("Expires"))
	if err != nil {
		return 0, false
	}
	return t.Sub(time.Now()), true
}
