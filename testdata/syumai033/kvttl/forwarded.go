package kvttl

import (
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"kvlint.test/syumai033/choose"
)

// Lifetimes chosen by generic helpers and handed over as multiple results,
// remember(entry(id)).

type acks struct{ ns *kv.Namespace }

func (a *acks) remember(key, value string, ttl time.Duration) error {
	return a.ns.PutString(key, value, &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())})
}

func ackEntry(id string, retry bool) (string, string, time.Duration) {
	return "ack:" + id, "1", choose.If(retry, 30*time.Second, 10*time.Minute) // want `ExpirationTTL 30 \(passed to acks.remember\) is below KV's 60-second minimum`
}

func (a *acks) ack(id string, retry bool) error {
	return a.remember(ackEntry(id, retry))
}

func pick[T any](cond bool, a, b T) T {
	if cond {
		return a
	}
	return b
}

func (a *acks) nack(id string, quick bool) error {
	return a.remember("nack:"+id, "1", pick(quick, 20*time.Second, time.Hour)) // want `ExpirationTTL 20 \(passed to acks.remember\) is below KV's 60-second minimum`
}

func quarantineEntry(site string, window time.Duration) (string, time.Duration) {
	return "quarantine:" + site, max(2*window, 3*time.Second) // want `ExpirationTTL \(passed to acks.mark\) can be as low as 3s, below KV's 60-second minimum`
}

func (a *acks) mark(key string, ttl time.Duration) error {
	return a.ns.PutString(key, "1", &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())})
}

func (a *acks) quarantine(site string, window time.Duration) error {
	return a.mark(quarantineEntry(site, window))
}

// Look-alikes: lifetimes of a minute or more either way, and a clamp to a
// minute from a helper elsewhere.

func (a *acks) ackSlow(id string, retry bool) error {
	return a.remember("slow:"+id, "1", choose.If(retry, 2*time.Minute, 10*time.Minute))
}

func holdEntry(site string, window time.Duration) (string, time.Duration) {
	return "hold:" + site, max(2*window, time.Minute)
}

func (a *acks) hold(site string, window time.Duration) error {
	return a.mark(holdEntry(site, window))
}

func (a *acks) until(id string, at time.Time) error {
	return a.mark("until:"+id, choose.AtLeast(time.Until(at), time.Minute))
}

// A builder that keeps the lifetime for the method that writes it: one
// finding for the one lifetime on the line.

type entryStore struct{ ns *kv.Namespace }

type entry struct {
	s   *entryStore
	key string
	ttl time.Duration
}

func (s *entryStore) Entry(key string, ttl time.Duration) entry {
	return entry{s: s, key: key, ttl: ttl}
}

func (e entry) Write(v string) error {
	return e.s.ns.PutString(e.key, v, &kv.PutOptions{ExpirationTTL: int(e.ttl.Seconds())})
}

func (s *entryStore) pin(id string, until time.Time) error {
	ttl := time.Until(until)
	return s.Entry("pin:"+id, ttl).Write("x") // want `ExpirationTTL \(passed to [^)]*\) is counted down to a moment at run time`
}

// One case of a switch counts down to midnight with nothing under it; the
// others are the caller's minutes or clamped.
func overrideSlot(id string, kind, minutes int, now time.Time) (string, time.Duration) {
	var ttl time.Duration
	switch kind {
	case 1:
		ttl = time.Duration(minutes) * time.Minute
	case 2:
		ttl = time.Until(now.Truncate(24 * time.Hour).Add(24 * time.Hour)) // want `ExpirationTTL \(passed to acks.mark\) is counted down to a moment at run time`
	default:
		ttl = max(ttl, time.Minute)
	}
	return "override:" + id, ttl
}

func (a *acks) override(id string, kind, minutes int) error {
	return a.mark(overrideSlot(id, kind, minutes, time.Now()))
}
