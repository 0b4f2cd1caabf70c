//go:build js && wasm

package edge

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/kv"

	"github.com/redshank-labs/redshank/internal/experiments"
)

const (
	cronLockKey    = "cron:lock"
	maxDigestPages = 10
)

// Scheduled runs on the Worker's cron trigger (every five minutes).
func Scheduled(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	a, err := New()
	if err != nil {
		return err
	}

	if holder, _ := a.metrics.GetString(cronLockKey, nil); holder != jsNull {
		log.Printf("cron: %s is still running, skipping %s", holder, ev.Cron)
		return nil
	}
	if err := a.metrics.PutString(cronLockKey, ev.ScheduledTime.Format(time.RFC3339), &kv.PutOptions{ExpirationTTL: 240}); err != nil { // EXPECT kvrace
		return err
	}
	defer func() {
		if err := a.metrics.Delete(cronLockKey); err != nil {
			log.Printf("cron: releasing lock: %v", err)
		}
	}()

	if err := a.compactStopped(ev.ScheduledTime); err != nil {
		log.Printf("cron: compaction: %v", err)
	}
	if err := a.writeDigest(ev.ScheduledTime); err != nil {
		log.Printf("cron: digest: %v", err)
	}
	return a.metrics.PutString("cron:last-run", ev.ScheduledTime.Format(time.RFC3339), nil)
}

// compactStopped removes sticky assignments of experiments that were
// stopped from the console.
// A run handles a few experiments, starting at a different one each tick,
// to stay under the Worker's subrequest limit.
func (a *App) compactStopped(at time.Time) error {
	res, err := a.exps.List(&kv.ListOptions{Prefix: "exp-status:", Limit: 100}) // DEBATABLE kvlist
	if err != nil || len(res.Keys) == 0 {
		return err
	}
	start := int(at.Unix()/300) % len(res.Keys)
	for i := range min(3, len(res.Keys)) {
		k := res.Keys[(start+i)%len(res.Keys)]
		id := strings.TrimPrefix(k.Name, "exp-status:")
		opts := &kv.ListOptions{Prefix: experiments.StickyPrefix(id), Limit: 1000}
		for {
			page, err := a.exps.List(opts) // EXPECT kvlist
			if err != nil {
				return err
			}
			if len(page.Keys) == 0 {
				break
			}
			for _, sk := range page.Keys {
				if err := a.exps.Delete(sk.Name); err != nil {
					return err
				}
			}
			opts.Cursor = page.Cursor
		}
	}
	return nil
}

type dailyDigest struct {
	Day       string         `json:"day"`
	Exposures map[string]int `json:"exposures"`
	Complete  bool           `json:"complete"`
}

// writeDigest sums the exposure counters into the day's digest.
func (a *App) writeDigest(at time.Time) error {
	d := dailyDigest{Day: at.UTC().Format("2006-01-02"), Exposures: map[string]int{}}
	opts := &kv.ListOptions{Prefix: "exposures:", Limit: 2000} // EXPECT kvlimits
	for page := 0; page < maxDigestPages; page++ {
		res, err := a.metrics.List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			v, ok, err := getString(a.metrics, k.Name, nil) // EXPECT kvlist
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			n, err := strconv.Atoi(v)
			if err != nil {
				continue
			}
			d.Exposures[strings.TrimPrefix(k.Name, "exposures:")] = n
		}
		if res.ListComplete {
			d.Complete = true
			break
		}
		opts = &kv.ListOptions{Cursor: res.Cursor, Limit: 1000}
	}
	body, err := json.Marshal(d)
	if err != nil {
		return err
	}
	key := fmt.Sprintf("daily:%s", d.Day)
	return a.metrics.PutString(key, string(body), &kv.PutOptions{
		Expiration: int(experiments.EndOfDay(at).AddDate(0, 0, 7).UnixMilli()), // EXPECT kvttl
	})
}
