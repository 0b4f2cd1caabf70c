package kvttl

import (
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

func startVisit(ns *kv.Namespace, id string, opts *kv.PutOptions) error {
	return ns.PutString("visit:"+id, "1", opts)
}

// Options built on the line above the call of a helper that writes with
// them: reported at the field.
func visitUntilMidnight(ns *kv.Namespace, id string) error {
	opts := &kv.PutOptions{Expiration: int(time.Now().Truncate(24 * time.Hour).Add(24 * time.Hour).UnixMilli())} // want `Expiration is in seconds since the Unix epoch, but this is a Unix time in ms`
	return startVisit(ns, id, opts)
}

func visitForMinutes(ns *kv.Namespace, id string) error {
	opts := &kv.PutOptions{ExpirationTTL: 30} // want `ExpirationTTL 30 \(passed to startVisit\) is below KV's 60-second minimum`
	return startVisit(ns, id, opts)
}
