package kvttl

import (
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

type slotHeld struct {
	Depot, Cart string
	ExpiresAt   time.Time
}

type menuSheet struct{ Week, Text string }

func putKindTTL(key, val string, ttl time.Duration) error {
	return ns.PutString(key, val, &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())})
}

// Each kind of record sets its own lifetime, and one of them counts down
// to a moment: that case is where the lifetime goes wrong.
func saveKind(rec any) error {
	var key, val string
	var ttl time.Duration
	switch r := rec.(type) {
	case slotHeld:
		key, val = "slot:"+r.Depot, r.Cart
		ttl = time.Until(r.ExpiresAt) // want `ExpirationTTL \(passed to putKindTTL\) is counted down to a moment at run time`
	case menuSheet:
		key, val = "menu:"+r.Week, r.Text
		ttl = 6 * time.Hour
	default:
		return nil
	}
	return putKindTTL(key, val, ttl)
}

// So in a put of the SDK's own.
func saveKindDirect(rec any) error {
	var key, val string
	var ttl time.Duration
	switch r := rec.(type) {
	case slotHeld:
		key, val = "slot:"+r.Depot, r.Cart
		ttl = time.Until(r.ExpiresAt) // want `ExpirationTTL is counted down to a moment at run time`
	case menuSheet:
		key, val = "menu:"+r.Week, r.Text
		ttl = 6 * time.Hour
	default:
		return nil
	}
	return ns.PutString(key, val, &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())})
}
