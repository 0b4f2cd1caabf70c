//go:build js && wasm

package edge

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/kv"
)

const maxRoomPages = 10

// Scheduled runs the Worker's cron triggers.
func (a *App) Scheduled(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	switch ev.Cron {
	case "*/10 * * * *":
		if err := a.rebuildDigest(ev.ScheduledTime); err != nil {
			return err
		}
		return a.countActiveRooms(ev.ScheduledTime)
	case "30 3 * * *":
		return a.auditVanity(ev.ScheduledTime)
	}
	return fmt.Errorf("unknown cron %q", ev.Cron)
}

// rebuildDigest lists which days each clinician has published, so the
// booking landing page can render the calendar without a read per day.
func (a *App) rebuildDigest(now time.Time) error {
	days := map[string][]string{}
	opts := &kv.ListOptions{
		Prefix: "avail:",
		Limit:  5000, // EXPECT kvlimits
	}
	for {
		res, err := a.KV.List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			parts := strings.SplitN(k.Name, ":", 3)
			if len(parts) == 3 {
				days[parts[1]] = append(days[parts[1]], parts[2])
			}
		}
		opts.Cursor = res.Cursor
	}
	digest, err := json.Marshal(map[string]any{"built_at": now, "days": days})
	if err != nil {
		return err
	}
	return a.KV.PutString("edge:availability-digest", string(digest), nil)
}

// countActiveRooms publishes how many video rooms are open, for the status page.
func (a *App) countActiveRooms(now time.Time) error {
	active := 0
	cursor := ""
	for range maxRoomPages {
		res, err := a.KV.List(&kv.ListOptions{Prefix: "video-room:", Cursor: cursor})
		if err != nil {
			return err
		}
		active += len(res.Keys)
		if res.ListComplete {
			break
		}
		cursor = res.Cursor
	}
	return a.KV.PutString("edge:active-rooms", fmt.Sprintf(`{"count":%d,"at":%q}`, active, now.Format(time.RFC3339)), nil)
}

// auditVanity writes the day's index of claimed vanity slugs, grouped by
// first letter, for the admin console.
func (a *App) auditVanity(now time.Time) error {
	byInitial := map[string][]string{}
	res, err := a.KV.List(&kv.ListOptions{Prefix: "vanity:"})
	if err != nil {
		return err
	}
	for pages := 1; ; pages++ {
		for _, k := range res.Keys {
			slug := strings.TrimPrefix(k.Name, "vanity:")
			if slug != "" {
				byInitial[slug[:1]] = append(byInitial[slug[:1]], slug)
			}
		}
		if res.ListComplete || pages >= 50 {
			break
		}
		res, err = a.KV.List(&kv.ListOptions{Cursor: res.Cursor}) // EXPECT kvlist
		if err != nil {
			return err
		}
	}
	report, _ := json.Marshal(map[string]any{"at": now, "by_initial": byInitial})
	return a.KV.PutString("edge:vanity-audit:"+now.Format("20060102"), string(report), &kv.PutOptions{ExpirationTTL: 30 * 24 * 3600})
}
