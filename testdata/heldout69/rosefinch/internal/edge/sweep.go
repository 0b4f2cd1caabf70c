//go:build js && wasm

package edge

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
)

const sweepMaxPages = 20

// Sweep runs from the cron trigger: it forgets last-seen markers of retired
// routes and records when it ran.
func Sweep(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	routes, err := cloudflare.NewKVNamespace(ctx, bindRoutes)
	if err != nil {
		return err
	}

	retired := map[string]bool{}
	if raw, err := routes.GetString("routes:retired", nil); err == nil && raw != kvNull {
		var hosts []string
		if err := json.Unmarshal([]byte(raw), &hosts); err != nil {
			return err
		}
		for _, h := range hosts {
			retired[h] = true
		}
	}

	removed := 0
	opts := &cloudflare.KVNamespaceListOptions{Prefix: "seen:", Limit: 1000}
	for page := 0; page < sweepMaxPages; page++ {
		res, err := routes.List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			host := strings.TrimPrefix(k.Name, "seen:")
			if !retired[host] {
				continue
			}
			if err := routes.Delete(k.Name); err != nil {
				return err
			}
			removed++
			_ = routes.PutString("edge:sweep:progress", host, nil) // EXPECT kvhotkey
		}
		if res.ListComplete {
			break
		}
		opts = &cloudflare.KVNamespaceListOptions{Cursor: res.Cursor, Limit: 1000}
	}
	return routes.PutString("edge:sweep:last", ev.ScheduledTime.Format(time.RFC3339)+" removed="+strconv.Itoa(removed), nil)
}
