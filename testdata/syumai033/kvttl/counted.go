package kvttl

import (
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// Quiet: a duration divided by time.Second in a variable counts seconds,
// however int(ttl) reads.
func cacheRates(ns *kv.Namespace, cur, body string, everyMinutes int) error {
	ttl := (time.Duration(everyMinutes)*time.Minute + 5*time.Minute) / time.Second
	return ns.PutString("fx:"+cur, body, &kv.PutOptions{ExpirationTTL: int(ttl)})
}
