package kvttl

import "time"

// A clamp written by the caller of a wrapper, before the call: reported
// at the clamp, where its floor is written.
func (c *Cache) windowThrough(window time.Duration, v string) error {
	ttl := max(2*window, 10*time.Second) // want `ExpirationTTL \(passed to Cache.Set\) can be as low as 10s`
	return c.Set("window", v, ttl)
}
