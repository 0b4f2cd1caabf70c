package kvttl

import (
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// A lifetime counted down in a statement of its own and then passed on
// is reported where it is counted: that is the value to clamp.
func holdUntilDeparture(ns *kv.Namespace, pnr, hold string, departs time.Time) error {
	ttl := time.Until(departs) // want `ExpirationTTL is counted down to a moment at run time`
	return ns.PutString("hold:"+pnr, hold, &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())})
}

// Given in an options field on a line of its own: reported at the field.
func holdUntilBoarding(ns *kv.Namespace, pnr, hold string, boards time.Time) error {
	ttl := time.Until(boards)
	return ns.PutString("board:"+pnr, hold, &kv.PutOptions{
		ExpirationTTL: int(ttl.Seconds()), // want `ExpirationTTL is counted down to a moment at run time`
	})
}
