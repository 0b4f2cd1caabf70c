package kvttl

import (
	"errors"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// Wrappers: the TTL reaches the SDK through a parameter, so the finding is
// at the caller's argument, and what the wrapper does on the way counts.

type Cache struct{ ns *kv.Namespace }

func (c *Cache) Set(key, v string, ttl time.Duration) error {
	return c.ns.PutString(key, v, &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())})
}

type ClampedCache struct{ ns *kv.Namespace }

func (c *ClampedCache) Set(key, v string, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute // KV's floor
	}
	return c.ns.PutString(key, v, &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())})
}

type StrictCache struct{ ns *kv.Namespace }

var errShortTTL = errors.New("ttl below one minute")

func (c *StrictCache) Set(key, v string, ttl time.Duration) error {
	if ttl < time.Minute {
		return errShortTTL
	}
	return c.ns.PutString(key, v, &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())})
}

func putFor(key, v string, seconds int) error {
	return ns.PutString(key, v, &kv.PutOptions{ExpirationTTL: seconds})
}

func putAtLeastAMinute(key, v string, seconds int) error {
	return ns.PutString(key, v, &kv.PutOptions{ExpirationTTL: max(seconds, 60)})
}

func rememberBriefly(key, v string, seconds int) error {
	return putFor("brief:"+key, v, seconds)
}

func callers(c *Cache, cc *ClampedCache, sc *StrictCache) {
	_ = c.Set("a", "1", 30*time.Second) // want `ExpirationTTL 30 \(passed to Cache.Set\) is below KV's 60-second minimum`
	_ = c.Set("b", "1", time.Hour)
	_ = cc.Set("c", "1", time.Second)
	_ = sc.Set("d", "1", 10*time.Second)
	_ = putFor("e", "1", 10) // want `ExpirationTTL 10 \(passed to putFor\) is below`
	_ = putFor("f", "1", 600)
	_ = putAtLeastAMinute("g", "1", 5)
	_ = rememberBriefly("h", "1", 20) // want `ExpirationTTL 20 \(passed to rememberBriefly\) is below`
}

func expireAt(key, v string, in time.Duration) error {
	return ns.PutString(key, v, &kv.PutOptions{Expiration: int(time.Now().Add(in).Unix())})
}

func expireCallers() {
	_ = expireAt("a", "1", 10*time.Second) // want `Expiration is time.Now\(\) plus 10s \(passed to expireAt\)`
	_ = expireAt("b", "1", 10*time.Minute)
}

func putOptional(key, v string, ttl time.Duration) error {
	opts := &kv.PutOptions{}
	if ttl > 0 {
		opts.ExpirationTTL = int(ttl.Seconds())
	}
	return ns.PutString(key, v, opts)
}

func putUntil(key, v string, at time.Time) error {
	opts := new(kv.PutOptions)
	opts.Expiration = int(at.Unix())
	return ns.PutString(key, v, opts)
}

// Options built by the callers of a helper that sends them.
func putWith(key, v string, opts *kv.PutOptions) error {
	return ns.PutString(key, v, opts)
}

func moreCallers() {
	_ = putOptional("a", "1", 0)
	_ = putOptional("b", "1", 10*time.Second)              // want `ExpirationTTL 10 \(passed to putOptional\) is below`
	_ = putFor("c", "1", int(time.Hour))                   // want `ExpirationTTL 3600000000000 \(passed to putFor\) looks like a time.Duration in nanoseconds`
	_ = putUntil("d", "1", time.Now().Add(20*time.Second)) // want `Expiration is time.Now\(\) plus 20s \(passed to putUntil\)`
	_ = putUntil("e", "1", time.Now().Add(time.Hour))
	_ = putWith("f", "1", &kv.PutOptions{ExpirationTTL: 30}) // want `ExpirationTTL 30 \(passed to putWith\) is below`
	_ = putWith("g", "1", &kv.PutOptions{ExpirationTTL: 300})
}
