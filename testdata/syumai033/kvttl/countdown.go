package kvttl

import (
	"errors"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// Lifetimes counted down to a moment: time.Until(t), t.Sub(now). They fall
// below KV's minimum as the moment nears, unless a floor holds them up.

type event struct {
	StartsAt, EndsAt time.Time
}

var errStarted = errors.New("event started")

func publishUntilStart(ev event, card string) error {
	ttl := time.Until(ev.StartsAt)
	if ttl <= 0 {
		return errStarted // still leaves ttl anywhere above zero
	}
	return ns.PutString("card", card, &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())}) // want `ExpirationTTL is counted down to a moment at run time, and nothing keeps it at 60 seconds or more`
}

func publishUntilEnd(ev event, now time.Time, card string) error {
	return ns.PutString("end", card, &kv.PutOptions{ExpirationTTL: int(ev.EndsAt.Sub(now) / time.Second)}) // want `ExpirationTTL is counted down`
}

// A floor below the minimum is no floor.
func publishWithLowFloor(ev event, card string) error {
	ttl := max(time.Until(ev.StartsAt), 30*time.Second) // want `ExpirationTTL can be as low as 30s, below KV's 60-second minimum`
	return ns.PutString("low", card, &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())})
}

// So is a clamp of a configured window below a minute.
func windowTTL(window time.Duration, v string) error {
	ttl := max(2*window, 5*time.Second) // want `ExpirationTTL can be as low as 5s`
	return ns.PutString("window", v, &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())})
}

// Through a wrapper of this package: reported at the caller's argument.
func (c *Cache) publishUntil(ev event, v string) error {
	return c.Set("until", v, time.Until(ev.EndsAt)) // want `ExpirationTTL \(passed to Cache.Set\) is counted down`
}

// Quiet: a clamp to a minute.
func publishClamped(ev event, card string) error {
	ttl := max(time.Until(ev.StartsAt), time.Minute)
	return ns.PutString("clamped", card, &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())})
}

// Quiet: a clamp written as a branch.
func publishBranchClamped(ev event, card string) error {
	ttl := time.Until(ev.StartsAt)
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return ns.PutString("branch", card, &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())})
}

// Quiet: too close to the moment, the put is skipped.
func publishOrSkip(ev event, card string) error {
	ttl := time.Until(ev.StartsAt)
	if ttl < time.Minute {
		return nil
	}
	return ns.PutString("skip", card, &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())})
}

// Quiet: an hour of grace after the moment.
func publishWithGrace(ev event, card string) error {
	return ns.PutString("grace", card, &kv.PutOptions{ExpirationTTL: int(time.Until(ev.EndsAt).Seconds()) + 3600})
}

// Quiet: a wrapper that clamps.
func (c *ClampedCache) publishUntil(ev event, v string) error {
	return c.Set("until", v, time.Until(ev.EndsAt))
}

// Quiet: a configured lifetime, not counted down, with no clamp at all.
func configured(ttl time.Duration, v string) error {
	return ns.PutString("configured", v, &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())})
}

type tier int

const (
	free tier = iota
	pro
	trial
)

// How long each tier's cached quota lives, in seconds.
var quotaTTL = [...]int{
	free:  3600,
	pro:   600,
	trial: 30, // want `ExpirationTTL 30 is below KV's 60-second minimum`
}

// A lifetime read from a table by a key known at run time is each entry.
func cacheQuota(ns *kv.Namespace, user string, t tier, quota string) error {
	return ns.PutString("quota:"+user, quota, &kv.PutOptions{ExpirationTTL: quotaTTL[t]})
}

// The same table as a map.
var planTTL = map[string]int{
	"free": 3600,
	"beta": 45, // want `ExpirationTTL 45 is below KV's 60-second minimum`
}

func cachePlan(ns *kv.Namespace, user, plan, v string) error {
	return ns.PutString("plan:"+user, v, &kv.PutOptions{ExpirationTTL: planTTL[plan]})
}

// Quiet: every entry is a minute or more.
var safeTTL = [...]int{free: 3600, pro: 60}

func cacheSafe(ns *kv.Namespace, user string, t tier, v string) error {
	return ns.PutString("safe:"+user, v, &kv.PutOptions{ExpirationTTL: safeTTL[t]})
}

// Counted down into a variable of seconds, then handed to a wrapper:
// where the lifetime is made.
func issueUntilClosing(codes []string, closing time.Time) error {
	for _, code := range codes {
		ttl := int(time.Until(closing).Seconds()) // want `ExpirationTTL \(passed to putSeconds\) is counted down`
		if err := putSeconds("code:"+code, "1", ttl); err != nil {
			return err
		}
	}
	return nil
}

// A Duration counted down and handed on: at the put.
func (c *Cache) publishOpening(ev event, v string) error {
	remaining := ev.StartsAt.Sub(time.Now())
	return c.Set("opening", v, remaining) // want `ExpirationTTL \(passed to Cache.Set\) is counted down`
}

func putSeconds(key, v string, ttl int) error {
	return ns.PutString(key, v, &kv.PutOptions{ExpirationTTL: ttl})
}

// A moment made from now and counted back from the same now is the
// lifetime it was made with, not a countdown.
func shareLink(ns *kv.Namespace, token string) error {
	now := time.Now()
	link := struct{ ExpiresAt time.Time }{ExpiresAt: now.Add(2 * time.Hour)}
	return ns.PutString("link:"+token, "1", &kv.PutOptions{ExpirationTTL: int(link.ExpiresAt.Sub(now).Seconds())})
}
