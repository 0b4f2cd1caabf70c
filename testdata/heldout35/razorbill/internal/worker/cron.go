//go:build js && wasm

package worker

import (
	"context"
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/kv"

	"razorbill/internal/keys"
)

const (
	trendingSize     = 25
	rollupKeysBudget = 5000
)

// Scheduled is the cron entry point: it rolls up yesterday's downloads and
// publishes the trending list once per run.
func (s *Server) Scheduled(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	ns := s.stats.NS()
	day := ev.ScheduledTime.Add(-24 * time.Hour).Format("2006-01-02")
	totals := map[string]int{}
	seen := 0
	opts := &kv.ListOptions{Prefix: "downloads/", Limit: 1000}
	for seen < rollupKeysBudget {
		res, err := ns.List(opts)
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			seen++
			parts := strings.Split(k.Name, "/")
			if len(parts) != 3 || parts[2] != day {
				continue
			}
			totals[parts[1]]++
		}
		if res.ListComplete || res.Cursor == "" {
			break
		}
		opts.Cursor = res.Cursor
	}
	type entry struct {
		Episode string `json:"episode"`
		Keys    int    `json:"keys"`
	}
	var top []entry
	for ep, n := range totals {
		top = append(top, entry{ep, n})
		if err := ns.PutString(keys.RollupKey(keys.EpisodeID(ep), ev.ScheduledTime.Hour()), strconv.Itoa(n),
			&kv.PutOptions{ExpirationTTL: 35 * 24 * 3600}); err != nil {
			return err
		}
	}
	sort.Slice(top, func(i, j int) bool { return top[i].Keys > top[j].Keys })
	if len(top) > trendingSize {
		top = top[:trendingSize]
	}
	b, _ := json.Marshal(top)
	if err := s.content.Put("trending/today", string(b), 26*time.Hour); err != nil {
		return err
	}
	return ns.PutString("cron/last-run", ev.ScheduledTime.Format(time.RFC3339), nil)
}
