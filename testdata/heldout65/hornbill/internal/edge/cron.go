//go:build js && wasm

package edge

import (
	"context"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
)

// maxSweepPages bounds one sweep; the next tick continues.
const maxSweepPages = 5

// Scheduled runs on the Worker's cron trigger (every 15 minutes). It drops
// daily webhook counters older than 35 days and records the run.
func (w *Worker) Scheduled(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	cutoff := ev.ScheduledTime.AddDate(0, 0, -35).Format("2006-01-02")
	cursor := ""
	for page := 0; page < maxSweepPages; page++ {
		res, err := w.kv.List(&cloudflare.KVNamespaceListOptions{Prefix: "stats:webhooks:", Cursor: cursor, Limit: 1000})
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			if strings.TrimPrefix(k.Name, "stats:webhooks:") < cutoff {
				_ = w.kv.Delete(k.Name)
			}
		}
		if res.ListComplete {
			break
		}
		cursor = res.Cursor
	}
	return w.kv.PutString("cron:sweep:last_run", ev.ScheduledTime.Format(time.RFC3339), nil)
}
