package kvttl

import (
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// A clamp written by the caller of a wrapper, before the call: reported
// at the clamp, where its floor is written.
func (c *Cache) windowThrough(window time.Duration, v string) error {
	ttl := max(2*window, 10*time.Second) // want `ExpirationTTL \(passed to Cache.Set\) can be as low as 10s`
	return c.Set("window", v, ttl)
}

// rates writes through a wrapper that clamps what it is given to a
// minute with an if, the way a floor is often written.
type rates struct{ ns *kv.Namespace }

func (r *rates) put(key, v string, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return r.ns.PutString(key, v, &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())})
}

// Quiet: one of the two lifetimes is under a minute, and the clamp
// decides for each on its own.
func (r *rates) Rate(key, v string, today bool) error {
	ttl := 400 * 24 * time.Hour
	if today {
		ttl = 15 * time.Second
	}
	return r.put(key, v, ttl)
}

// The same two lifetimes through a wrapper with no clamp.
func (r *rates) putRaw(key, v string, ttl time.Duration) error {
	return r.ns.PutString(key, v, &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())})
}

func (r *rates) RateRaw(key, v string, today bool) error {
	ttl := 400 * 24 * time.Hour
	if today {
		ttl = 15 * time.Second
	}
	return r.putRaw(key, v, ttl) // want `ExpirationTTL 15 \(passed to rates.putRaw\) is below KV's 60-second minimum`
}
