//go:build js && wasm

package edge

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/d1"
	"github.com/syumai/workers/cloudflare/kv"
)

const (
	holdPages      = 20
	readyCountTTL  = 3600
	sweepStateTTL  = 7 * 24 * 3600
	reportPageSize = 2000
)

// Scheduled runs on the Worker's cron trigger.
func Scheduled(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	wk, err := NewWorker()
	if err != nil {
		return err
	}
	switch ev.Cron {
	case "*/10 * * * *":
		return wk.publishReadyCounts(ctx)
	case "0 * * * *":
		return wk.expireHolds(ctx, ev.ScheduledTime)
	case "30 7 * * *":
		return wk.morningReport(ctx)
	}
	return nil
}

// publishReadyCounts copies the number of bags ready per store from D1 to
// KV, where the store locator reads it.
func (wk *Worker) publishReadyCounts(ctx context.Context) error {
	c, err := d1.OpenConnector("PHARMACY_DB")
	if err != nil {
		return err
	}
	dbx := sql.OpenDB(c)
	rows, err := dbx.QueryContext(ctx, `SELECT store_id, COUNT(*) FROM pickups WHERE status = 'ready' GROUP BY store_id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	ns := wk.cache.Raw()
	for rows.Next() {
		var store string
		var n int
		if err := rows.Scan(&store, &n); err != nil {
			return err
		}
		if err := ns.PutString("count:ready:"+store, strconv.Itoa(n), &kv.PutOptions{ExpirationTTL: readyCountTTL}); err != nil { // DEBATABLE kvcounter
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return ns.PutString("edge:ready_counts_at", time.Now().UTC().Format(time.RFC3339), &kv.PutOptions{ExpirationTTL: readyCountTTL})
}

type hold struct {
	Store     string    `json:"store"`
	Code      string    `json:"code"`
	Patient   string    `json:"patient"`
	Address   string    `json:"address"`
	ExpiresAt time.Time `json:"expires_at"`
}

// expireHolds reminds patients whose bags go back to stock tomorrow.
func (wk *Worker) expireHolds(ctx context.Context, now time.Time) error {
	ns := wk.pickup.Raw()
	opts := &kv.ListOptions{Prefix: "hold:", Limit: 500}
	var due []hold
	for page := 0; page < holdPages; page++ {
		res, err := ns.List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		names := make([]string, len(res.Keys))
		for i, k := range res.Keys {
			names[i] = k.Name
		}
		for _, name := range names {
			raw, err := wk.pickup.Get(ctx, name) // EXPECT kvlist
			if err != nil {
				continue
			}
			var h hold
			if json.Unmarshal(raw, &h) == nil && h.ExpiresAt.Sub(now) < 24*time.Hour {
				due = append(due, h)
			}
		}
		if res.ListComplete {
			break
		}
		opts = &kv.ListOptions{Cursor: res.Cursor, Limit: 500}
	}
	for _, h := range due {
		reminder := fmt.Sprintf("Your prescriptions at store %s go back to stock on %s.", h.Store, h.ExpiresAt.Format("Jan 2"))
		key := "reminder:" + h.Store + ":" + h.Code
		if err := ns.PutString(key, reminder, &kv.PutOptions{ExpirationTTL: 2 * 24 * 3600}); err != nil {
			return err
		}
		_ = ns.PutString("reminder_last:"+h.Store, h.Code, nil) // DEBATABLE kvhotkey
	}
	state, _ := json.Marshal(map[string]any{"ran_at": now, "due": len(due)})
	return ns.PutString("edge:holds_sweep", string(state), &kv.PutOptions{ExpirationTTL: sweepStateTTL})
}

// morningReport stores the list of refills still pending per store for the
// opening pharmacist.
func (wk *Worker) morningReport(ctx context.Context) error {
	ns := wk.pickup.Raw()
	res, err := ns.List(&kv.ListOptions{
		Prefix: "refill:",
		Limit:  reportPageSize, // EXPECT kvlimits
	})
	if err != nil {
		return err
	}
	perStore := map[string]int{}
	for _, k := range res.Keys {
		perStore[storeFromKey(k.Name)]++
	}
	report, _ := json.Marshal(map[string]any{"pending": perStore, "truncated": !res.ListComplete})
	day := time.Now().UTC().Format("2006-01-02")
	if err := ns.PutString("report:morning:"+day, string(report), &kv.PutOptions{ExpirationTTL: 7 * 24 * 3600}); err != nil {
		return err
	}
	var errs []error
	for store, n := range perStore {
		line, _ := json.Marshal(map[string]any{"store": store, "pending": n, "day": day})
		if err := ns.PutString("report:morning:"+day+":"+store, string(line), &kv.PutOptions{ExpirationTTL: 7 * 24 * 3600}); err != nil {
			errs = append(errs, err)
			continue
		}
		if err := ns.PutString("report:progress", store, nil); err != nil { // EXPECT kvhotkey
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("morning report: %d stores failed: %w", len(errs), errs[0])
	}
	return nil
}
