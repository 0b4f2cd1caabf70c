package sending

import (
	"context"
	"time"

	"pukeko/internal/kvstore"
)

// DomainThrottle spaces out deliveries to one receiving domain so that large
// mailbox providers do not defer us. The last delivery time per domain is
// shared with the other send workers through KV.
type DomainThrottle struct {
	KV     *kvstore.Namespace
	Window time.Duration
}

// Mark records a delivery to domain at t.
func (t *DomainThrottle) Mark(ctx context.Context, domain string, at time.Time) error {
	return t.KV.Put(ctx, "throttle:"+domain, at.UTC().AppendFormat(nil, time.RFC3339Nano), &kvstore.WriteOptions{
		TTL: new(max(2*t.Window, 3*time.Second)), // EXPECT kvttl
	})
}

// Last returns the time of the last delivery to domain, or the zero time.
func (t *DomainThrottle) Last(ctx context.Context, domain string) (time.Time, error) {
	raw, err := t.KV.Get(ctx, "throttle:"+domain)
	if kvstore.IsNotFound(err) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, err
	}
	return time.Parse(time.RFC3339Nano, string(raw))
}

// Pause marks domain as deferring us (a 421 from its MX) for d, scaled up by
// how often it happened recently.
func (t *DomainThrottle) Pause(ctx context.Context, domain string, d time.Duration, strikes int) error {
	backoff := time.Duration(float64(d) * (1 + 0.5*float64(min(strikes, 6))))
	return t.KV.PutFor(ctx, "pause:"+domain, []byte(time.Now().Add(backoff).UTC().Format(time.RFC3339)), backoff)
}
