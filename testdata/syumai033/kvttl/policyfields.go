package kvttl

import (
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// Lifetime policies that each constructor keeps in a field as a function
// literal: the literal that gives the bad lifetime is where it is
// written.
type hold struct {
	Until time.Time
	Kiosk bool
}

type holdBook struct {
	ns     *kv.Namespace
	grace  func(h *hold) time.Duration
	ttlFor func(h *hold) time.Duration
}

func desks(ns *kv.Namespace) *holdBook {
	return &holdBook{
		ns:    ns,
		grace: func(h *hold) time.Duration { return time.Until(h.Until) }, // want `ExpirationTTL is counted down to a moment at run time`
		ttlFor: func(h *hold) time.Duration {
			if h.Kiosk {
				return 45 * time.Second // want `ExpirationTTL 45 is below KV's 60-second minimum`
			}
			return 15 * time.Minute
		},
	}
}

func rooms(ns *kv.Namespace) *holdBook {
	return &holdBook{
		ns:     ns,
		grace:  func(h *hold) time.Duration { return max(time.Until(h.Until)+2*time.Minute, 5*time.Minute) },
		ttlFor: func(*hold) time.Duration { return time.Hour },
	}
}

func (b *holdBook) place(key string, h *hold) error {
	return b.ns.PutString(key, "held", &kv.PutOptions{ExpirationTTL: int(b.grace(h).Seconds())})
}

func (b *holdBook) keep(key string, h *hold) error {
	return b.ns.PutString(key, "kept", &kv.PutOptions{ExpirationTTL: int(b.ttlFor(h).Seconds())})
}

// A settings struct of the function, set field by field: where the
// lifetime is set.
func (c *Cache) board(site, v string) error {
	var cfg struct {
		TTL    time.Duration
		Prefix string
	}
	cfg.TTL = 30 * time.Second // want `ExpirationTTL 30 \(passed to Cache.Set\) is below`
	cfg.Prefix = "board:"
	return c.Set(cfg.Prefix+site, v, cfg.TTL)
}

// A countdown taken only when it is above a clamped floor has that floor,
// which is below a minute: reported at the clamp.
func (c *Cache) checkIn(id string, start time.Time, window time.Duration) error {
	ttl := max(2*window, 3*time.Second) // want `ExpirationTTL \(passed to Cache.Set\) can be as low as 3s`
	if until := time.Until(start.Add(window)); until > ttl {
		ttl = until
	}
	return c.Set("checkin:"+id, "open", ttl)
}

// The end of this hour is less than an hour away, down to none: the
// floor of the clamp is all that holds the lifetime up.
func (c *Cache) hourly(sender, n string) error {
	hour := time.Now().Truncate(time.Hour)
	ttl := time.Until(hour.Add(time.Hour))
	ttl = max(ttl, 10*time.Second) // want `ExpirationTTL \(passed to Cache.Set\) can be as low as 10s`
	return c.Set("quota:"+sender, n, ttl)
}

// Quiet: the end of tomorrow is at least a day away.
func (c *Cache) daily(sender, n string) error {
	day := time.Now().Truncate(24 * time.Hour)
	return c.Set("daily:"+sender, n, time.Until(day.Add(48*time.Hour)))
}

// Quiet: a wrapper that raises what it is given to a minute lets no
// lifetime of the caller's through below it, known or not.
type templates struct {
	ns  *kv.Namespace
	ttl time.Duration
}

func (t *templates) putClamped(key, v string, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return t.ns.PutString(key, v, &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())})
}

func (t *templates) load(key, v string, draft bool) error {
	ttl := t.ttl
	if draft {
		ttl = 15 * time.Second
	}
	return t.putClamped(key, v, ttl)
}
