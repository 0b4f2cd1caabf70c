//go:build js && wasm

package edge

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
)

const warmPages = 5

// Warm is the Worker's cron task (every 5 minutes): it refreshes today's
// availability for every office so the first visitor gets a cached page.
func Warm(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	ns, err := cloudflare.NewKVNamespace(kvBinding)
	if err != nil {
		return err
	}
	db, err := openDB()
	if err != nil {
		return err
	}
	today := ev.ScheduledTime.In(cityTZ()).Format(time.DateOnly)
	warmed := 0
	opts := &cloudflare.KVNamespaceListOptions{Prefix: "office:", Limit: 1000}
	for page := 0; page < warmPages; page++ {
		res, err := ns.List(opts)
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			office := strings.TrimPrefix(k.Name, "office:")
			view := &dayView{Office: office, Date: today}
			rows, err := db.QueryContext(ctx, `SELECT start FROM slots WHERE office = ? AND day = ? AND booked < capacity ORDER BY start`, office, today)
			if err != nil {
				return err
			}
			for rows.Next() {
				var start string
				if err := rows.Scan(&start); err == nil {
					view.Free = append(view.Free, start)
				}
			}
			rows.Close()
			raw, _ := json.Marshal(view)
			if err := ns.PutString("avail:"+office+":"+today, string(raw), &cloudflare.KVNamespacePutOptions{ExpirationTTL: availabilityTTL}); err != nil {
				return err
			}
			warmed++
			stamp := time.Now().UTC().Format(time.RFC3339)
			if err := ns.PutString("avail:warmed-at", stamp, nil); err != nil { // EXPECT kvhotkey
				return err
			}
		}
		if res.ListComplete {
			break
		}
		opts = &cloudflare.KVNamespaceListOptions{Prefix: "office:", Limit: 1000, Cursor: res.Cursor}
	}
	summary, _ := json.Marshal(map[string]any{"date": today, "offices": warmed, "cron": ev.Cron})
	return ns.PutString("avail:summary", string(summary), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 3600})
}

func cityTZ() *time.Location {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		return time.UTC
	}
	return loc
}
