//go:build js && wasm

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/kv"

	"example.com/garganey/internal/timing"
)

// maxTrendingPages bounds the hit-bucket walk; a page holds 1000 keys.
const maxTrendingPages = 20

var trendingTTL = timing.MustDuration("10m")

// runCron serves the triggers declared in wrangler.toml.
func runCron(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	switch ev.Cron {
	case "*/5 * * * *":
		err = refreshTrending(ev)
	case "0 * * * *":
		err = errors.Join(sweepHolds(), pruneImports(ctx))
	default:
		return fmt.Errorf("cron: unknown trigger %q", ev.Cron)
	}
	ns, nsErr := cloudflare.NewKVNamespace(bindingFeeds)
	if nsErr == nil {
		nsErr = ns.PutString("cron:last-run:"+ev.Cron, ev.ScheduledTime.Format(time.RFC3339), nil)
	}
	return errors.Join(err, nsErr)
}

// refreshTrending ranks episodes by the number of minute buckets in which
// they had downloads. Only key names are needed, not values.
func refreshTrending(ev *cron.Event) error {
	ns, err := cloudflare.NewKVNamespace(bindingAnalytics)
	if err != nil {
		return err
	}
	active := make(map[string]int)
	cursor := ""
	for range maxTrendingPages {
		res, err := ns.List(&kv.ListOptions{Prefix: "hits:", Cursor: cursor, Limit: 1000})
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			// hits:<episode>:<country>:<minute>
			if parts := strings.Split(k.Name, ":"); len(parts) == 4 {
				active[parts[1]]++
			}
		}
		if res.ListComplete {
			break
		}
		cursor = res.Cursor
	}
	ids := make([]string, 0, len(active))
	for id := range active {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b string) int { return active[b] - active[a] })
	b, _ := json.Marshal(ids[:min(len(ids), 50)])
	if err := ns.PutString("trending", string(b), &kv.PutOptions{ExpirationTTL: int(trendingTTL)}); err != nil { // EXPECT kvttl
		return err
	}
	next := ev.ScheduledTime.Add(5 * time.Minute)
	return ns.PutString("trending:next", next.Format(time.RFC3339), &kv.PutOptions{Expiration: int(next.UnixMilli())}) // EXPECT kvttl
}

// sweepHolds releases checkout holds whose time is up; holds written by
// older releases of the checkout carry no expiration of their own.
func sweepHolds() error {
	ns, err := cloudflare.NewKVNamespace(bindingSponsors)
	if err != nil {
		return err
	}
	cursor := ""
	for {
		res, err := ns.List(&kv.ListOptions{Prefix: "hold:", Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(res.Keys) == 0 {
			return nil
		}
		for _, k := range res.Keys {
			if k.Expiration != 0 {
				continue
			}
			var h struct{ Until time.Time }
			raw, err := ns.GetString(k.Name, nil) // EXPECT kvlist
			if err == nil && raw != kvNull && json.Unmarshal([]byte(raw), &h) == nil && time.Now().After(h.Until) {
				if err := ns.Delete(k.Name); err != nil {
					log.Printf("sweep %s: %v", k.Name, err)
				}
			}
		}
		cursor = res.Cursor
	}
}

// pruneImports deletes the progress keys of import jobs the origin no
// longer reports as running.
func pruneImports(ctx context.Context) error {
	body, err := fetchOrigin(ctx, http.MethodGet, "/internal/imports/running", "")
	if err != nil {
		return err
	}
	var running []string
	if err := json.Unmarshal([]byte(body), &running); err != nil {
		return err
	}
	ns, err := cloudflare.NewKVNamespace(bindingFeeds)
	if err != nil {
		return err
	}
	opts := &kv.ListOptions{Prefix: "import:", Limit: 5000} // EXPECT kvlimits
	for {
		res, err := ns.List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			if !slices.Contains(running, strings.TrimPrefix(k.Name, "import:")) {
				if err := ns.Delete(k.Name); err != nil {
					log.Printf("prune %s: %v", k.Name, err)
				}
			}
		}
		if res.ListComplete {
			return nil
		}
		opts = &kv.ListOptions{Cursor: res.Cursor, Limit: opts.Limit}
	}
}
