//go:build js && wasm

package edge

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
)

const (
	dedupeWindow   = 10 * time.Minute
	maxRollupPages = 20
)

// Scheduled runs on the Worker's cron trigger (every 5 minutes). It copies
// authoritative totals from D1 into the keys the counters read, and marks
// days for the backend's archive job.
func Scheduled(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	wk, err := Open()
	if err != nil {
		return err
	}
	day := ev.ScheduledTime.Format("20060102")

	sitesToday, err := wk.activeSites(day)
	if err != nil {
		return err
	}
	if err := wk.publishTotals(ctx, sitesToday); err != nil {
		return err
	}
	if err := wk.kv.PutString("rollup:last-run", ev.ScheduledTime.Format(time.RFC3339), nil); err != nil {
		return err
	}
	if err := wk.kv.PutString("rollup:pending:"+day, strings.Join(sitesToday, ","), &cloudflare.KVNamespacePutOptions{
		Expiration: int(time.Now().Add(45 * time.Second).Unix()), // EXPECT kvttl
	}); err != nil {
		return err
	}
	if err := wk.kv.PutString("rollup:window:"+day, ev.Cron, &cloudflare.KVNamespacePutOptions{
		ExpirationTTL: int(dedupeWindow), // EXPECT kvttl
	}); err != nil {
		return err
	}
	tomorrow := ev.ScheduledTime.Truncate(24 * time.Hour).Add(24 * time.Hour)
	if err := wk.kv.PutString("rollup:today", day, &cloudflare.KVNamespacePutOptions{
		ExpirationTTL: int(time.Until(tomorrow).Seconds()), // EXPECT kvttl
	}); err != nil {
		return err
	}
	if err := wk.kv.PutString("rollup:today-sites", fmt.Sprint(len(sitesToday)), &cloudflare.KVNamespacePutOptions{
		ExpirationTTL: max(int(time.Until(tomorrow).Seconds()), 60),
	}); err != nil {
		return err
	}
	if err := wk.kv.PutString("archive:due:"+day, "1", &cloudflare.KVNamespacePutOptions{
		Expiration: int(ev.ScheduledTime.Add(48 * time.Hour).UnixMilli()), // EXPECT kvttl
	}); err != nil {
		return err
	}
	return wk.expireStaleSeen(day)
}

// activeSites returns the sites with page views today, from the view keys.
func (wk *Worker) activeSites(day string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	cursor := ""
	for {
		res, err := wk.kv.List(&cloudflare.KVNamespaceListOptions{Prefix: "views:", Cursor: cursor, Limit: 1000}) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			parts := strings.Split(k.Name, ":")
			if len(parts) == 3 && parts[2] == day && !seen[parts[1]] {
				seen[parts[1]] = true
				out = append(out, parts[1])
			}
		}
		cursor = res.Cursor
	}
	return out, nil
}

// publishTotals copies each site's all-time total from D1 into KV.
func (wk *Worker) publishTotals(ctx context.Context, siteIDs []string) error {
	for _, id := range siteIDs {
		var total int64
		err := wk.db.QueryRowContext(ctx, "SELECT COALESCE(SUM(views), 0) FROM daily_views WHERE site_id = ?", id).Scan(&total)
		if err != nil {
			return err
		}
		if err := wk.kv.PutString("total:"+id, fmt.Sprint(total), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 3600}); err != nil {
			return err
		}
	}
	return nil
}

// expireStaleSeen lists the dedupe markers of previous days, a bounded
// number of pages per run, and records them for the backend's purge job.
func (wk *Worker) expireStaleSeen(day string) error {
	var stale []string
	opts := &cloudflare.KVNamespaceListOptions{Prefix: "seen:", Limit: 1000}
	for page := 0; page < maxRollupPages; page++ {
		res, err := wk.kv.List(opts)
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			if k.Expiration == 0 {
				stale = append(stale, k.Name)
			}
		}
		if res.ListComplete {
			break
		}
		opts.Cursor = res.Cursor
	}
	if len(stale) == 0 {
		return nil
	}
	b, _ := json.Marshal(stale)
	return wk.kv.PutString("purge:seen:"+day, string(b), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 2 * 24 * 3600})
}

// Referrers returns the referrer list of a site for the dashboard's edge
// preview, one page at a time.
func (wk *Worker) Referrers(site, cursor string) ([]string, string, error) {
	res, err := wk.kv.List(&cloudflare.KVNamespaceListOptions{
		Prefix: "refs:" + site,
		Cursor: cursor,
		Limit:  5000, // EXPECT kvlimits
	})
	if err != nil {
		return nil, "", err
	}
	names := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		names = append(names, k.Name)
	}
	next := res.Cursor
	if res.ListComplete {
		next = ""
	}
	return names, next, nil
}
