package kvttl

import (
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

const maxBackoff = 6 * time.Hour

// A countdown capped from above only still drops under a minute.
func backoffUntil(ns *kv.Namespace, id string, until time.Time) error {
	ttl := time.Until(until)
	if ttl > maxBackoff {
		ttl = maxBackoff
	}
	return ns.PutString("backoff:"+id, "1", &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())}) // want `ExpirationTTL is counted down to a moment at run time`
}

// Capped from above and kept at a minute from below: fine.
func backoffBetween(ns *kv.Namespace, id string, until time.Time) error {
	ttl := time.Until(until)
	if ttl > maxBackoff {
		ttl = maxBackoff
	}
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return ns.PutString("backoff:"+id, "1", &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())})
}
