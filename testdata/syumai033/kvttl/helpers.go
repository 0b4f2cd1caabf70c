package kvttl

import (
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// Lifetimes chosen by a helper of the package, and options that a helper
// of the package is given in a struct.

type seatTier int

const (
	freeSeats seatTier = iota
	proSeats
)

// holdFor is 15 minutes for pro, and 30 seconds for everyone else: the
// caller's tier picks, so the call is reported.
func holdFor(t seatTier) time.Duration {
	switch t {
	case proSeats:
		return 15 * time.Minute
	default:
		return 30 * time.Second
	}
}

// A tier's own lifetime, whichever caller asks: reported where it is
// written.
func (t seatTier) lifetime() time.Duration {
	if t == proSeats {
		return 15 * time.Minute
	}
	return 20 * time.Second // want `ExpirationTTL 20 is below KV's 60-second minimum`
}

func holdByTier(seat string, t seatTier) error {
	return ns.PutString("hold:"+seat, "held", &kv.PutOptions{ExpirationTTL: int(t.lifetime().Seconds())})
}

func holdSeat(seat string, t seatTier) error {
	return ns.PutString("hold:"+seat, "held", &kv.PutOptions{ExpirationTTL: int(holdFor(t).Seconds())}) // want `ExpirationTTL 30 is below KV's 60-second minimum`
}

// Quiet: only the pro seatTier gets here.
func holdProSeat(seat string) error {
	return ns.PutString("hold:"+seat, "held", &kv.PutOptions{ExpirationTTL: int(holdFor(proSeats).Seconds())})
}

// envSeconds may return what the environment says: not known.
func envSeconds(v string, def int) int {
	if n, err := time.ParseDuration(v); err == nil {
		return int(n.Seconds())
	}
	return def
}

// Quiet: the default is fine, and the rest is not known here.
func holdConfigured(seat, v string) error {
	return ns.PutString("hold:"+seat, "held", &kv.PutOptions{ExpirationTTL: envSeconds(v, 300)})
}

type writeOptions struct {
	TTL time.Duration
}

// write sends a lifetime only when one is given.
func write(key, v string, opts writeOptions) error {
	var o *kv.PutOptions
	switch {
	case opts.TTL > 0:
		o = &kv.PutOptions{ExpirationTTL: int(opts.TTL.Seconds())}
	}
	return ns.PutString(key, v, o)
}

func keepUntilStart(ev event, card string) error {
	return write("card", card, writeOptions{TTL: time.Until(ev.StartsAt)}) // want `ExpirationTTL \(passed to write\) is counted down`
}

// Quiet: a floor of a minute.
func keepAtLeastAMinute(ev event, card string) error {
	return write("card", card, writeOptions{TTL: max(time.Until(ev.StartsAt), time.Minute)})
}

// tombstones keeps its clock in a field, as code tested with a fake
// clock does.
type tombstones struct {
	ns  *kv.Namespace
	now func() time.Time
}

// A negative-cache marker that expires 20 s from the field's now.
func (t *tombstones) mark(key string) error {
	now := t.now()
	return t.ns.PutString(key, "-", &kv.PutOptions{Expiration: int(now.Add(20 * time.Second).Unix())}) // want `Expiration is time.Now\(\) plus 20s`
}

// Quiet: ten minutes from the field's now.
func (t *tombstones) markLonger(key string) error {
	return t.ns.PutString(key, "-", &kv.PutOptions{Expiration: int(t.now().Add(10 * time.Minute).Unix())})
}
