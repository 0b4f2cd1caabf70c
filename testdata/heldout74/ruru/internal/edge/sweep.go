//go:build js && wasm

package edge

import (
	"context"
	"encoding/json"
	"log"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/kv"

	"github.com/ruru-fm/ruru/internal/podcast"
)

// Sweep runs on the Worker's cron trigger (every 10 minutes). It publishes
// today's unique-listener totals and audits revoked feed tokens.
func Sweep(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	ns, err := namespace()
	if err != nil {
		return err
	}
	day := ev.ScheduledTime
	totals, err := countUniques(ns, day)
	if err != nil {
		return err
	}
	for episodeID, n := range totals {
		key := "uniq:total:" + podcast.Day(day) + ":" + episodeID
		if err := ns.PutString(key, strconv.Itoa(n), &kv.PutOptions{ExpirationTTL: 8 * 24 * 3600}); err != nil { // DEBATABLE kvcounter
			log.Printf("uniques %s: %v", key, err)
		}
	}
	revoked, err := auditRevoked(ns)
	if err != nil {
		return err
	}
	report, _ := json.Marshal(map[string]any{"at": ev.ScheduledTime, "episodes": len(totals), "revoked": revoked})
	return ns.PutString("edge:sweep:last", string(report), nil)
}

// countUniques counts listener markers per episode for one day.
func countUniques(ns *kv.Namespace, day time.Time) (map[string]int, error) {
	prefix := "uniq:" + podcast.Day(day) + ":"
	totals := map[string]int{}
	cursor := ""
	for {
		res, err := ns.List(&kv.ListOptions{Prefix: prefix, Cursor: cursor, Limit: 1000}) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			episodeID, _, _ := strings.Cut(strings.TrimPrefix(k.Name, prefix), ":")
			totals[episodeID]++
		}
		cursor = res.Cursor
	}
	return totals, nil
}

// auditRevoked counts revocation entries so the dashboard can show them.
func auditRevoked(ns *kv.Namespace) (int, error) {
	opts := &kv.ListOptions{Prefix: "feedtok:revoked:", Limit: 1500} // EXPECT kvlimits
	n := 0
	for range 50 {
		res, err := ns.List(opts) // EXPECT kvlist
		if err != nil {
			return n, err
		}
		n += len(res.Keys)
		if res.ListComplete {
			break
		}
		opts = &kv.ListOptions{Cursor: res.Cursor}
	}
	return n, nil
}

// Listeners handles GET /stats/{episode}/today for the creator dashboard.
// It reads at most a few pages and reports a lower bound beyond that.
func Listeners(w http.ResponseWriter, r *http.Request) {
	ns, err := namespace()
	if err != nil {
		http.Error(w, "misconfigured", http.StatusInternalServerError)
		return
	}
	const maxPages = 5
	prefix := "uniq:" + podcast.Day(time.Now()) + ":" + r.PathValue("episode") + ":"
	opts := &kv.ListOptions{Prefix: prefix, Limit: 1000}
	count, complete := 0, false
	for page := 0; page < maxPages; page++ {
		res, err := ns.List(opts)
		if err != nil {
			http.Error(w, "unavailable", http.StatusBadGateway)
			return
		}
		count += len(res.Keys)
		if res.ListComplete {
			complete = true
			break
		}
		opts = &kv.ListOptions{Prefix: prefix, Cursor: res.Cursor, Limit: 1000}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"listeners": count, "exact": complete})
}
