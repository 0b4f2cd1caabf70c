package kvttl

import (
	"context"
	"time"

	"kvlint.test/cfv6/ttlstore"
)

// A server that moves a key's expiry to a moment its client names, through
// a helper of its own and then the adapter, which sends only a positive
// lifetime: the countdown reaches the put with nothing under it.
type expiries struct {
	kv *ttlstore.Store
}

func (e *expiries) ExpireAt(ctx context.Context, key string, at time.Time) error {
	ttl := time.Until(at)
	if ttl <= 0 {
		return nil
	}
	return e.retime(ctx, key, ttl) // want `ExpirationTTL \(passed to expiries.retime\) is counted down to a moment at run time`
}

// Quiet: the countdown is raised to a minute first.
func (e *expiries) ExpireAtLeastAMinute(ctx context.Context, key string, at time.Time) error {
	return e.retime(ctx, key, max(time.Until(at), time.Minute))
}

func (e *expiries) retime(ctx context.Context, key string, ttl time.Duration) error {
	raw, err := e.kv.Get(ctx, key)
	if err != nil {
		return err
	}
	return e.kv.Put(ctx, key, raw, ttl)
}
