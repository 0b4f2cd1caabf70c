package kvttl

import (
	"context"
	"encoding/json"
	"time"

	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/kv"
)

// A cron handler hands the time its trigger fired at, the time it runs,
// to helpers that add their own offsets: an offset under a minute is the
// helper's, and reported where it is added.
func scheduled(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	if err := publishTop(ev.ScheduledTime, []string{"a", "b"}); err != nil {
		return err
	}
	return publishDigest(ev.ScheduledTime)
}

func publishTop(now time.Time, ids []string) error {
	raw, _ := json.Marshal(ids)
	return ns.PutString("top:"+now.Format("2006010215"), string(raw), &kv.PutOptions{
		Expiration: int(now.Add(30 * time.Second).Unix()), // want `Expiration is time.Now\(\) plus 30s, less than KV's 60-second minimum`
	})
}

// Quiet: an hour ahead of the trigger.
func publishDigest(now time.Time) error {
	return ns.PutString("digest:"+now.Format("20060102"), "{}", &kv.PutOptions{
		Expiration: int(now.Add(time.Hour).Unix()),
	})
}

// A helper whose callers hand it the clock as it is: its own 20 s is
// reported once, where it is added, not at each caller.
func stampUntil(now time.Time, key string) error {
	return ns.PutString(key, "1", &kv.PutOptions{Expiration: int(now.Add(20 * time.Second).Unix())}) // want `Expiration is time.Now\(\) plus 20s`
}

func stampBoth() error {
	if err := stampUntil(time.Now(), "stamp:a"); err != nil {
		return err
	}
	return stampUntil(time.Now().UTC(), "stamp:b")
}

// A badge kept until the next tick, with a floor under a minute: the time
// left until the tick is counted down at run time, whatever the trigger's
// time is.
func badgeUntilNextTick(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	window := ev.ScheduledTime.Add(5 * time.Minute).Sub(time.Now())
	ttl := max(2*window, 3*time.Second) // want `ExpirationTTL can be as low as 3s`
	return ns.PutString("badge", "1", &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())})
}
