package stock

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"hihi/internal/db"
)

// sweepCursorKey lets an interrupted sweep resume where it stopped.
const sweepCursorKey = "sweep:alerts:last_key"

// PurgeDiscontinued drops every subscription for drugs the chain no longer
// stocks, across all stores.
func (a *Alerts) PurgeDiscontinued(ctx context.Context, discontinued map[string]bool) (int, error) {
	it := a.ns.Pager(ctx, "alert:") // EXPECT kvlist
	var stale []string
	for it.Next() {
		key := it.Current().Name
		parts := strings.Split(key, ":")
		if len(parts) != 3 || !discontinued[parts[2]] {
			continue
		}
		stale = append(stale, key)
		_ = a.ns.Put(ctx, sweepCursorKey, []byte(key), 0) // EXPECT kvhotkey
	}
	if err := it.Err(); err != nil {
		return 0, err
	}
	for i := 0; i < len(stale); i += 10_000 {
		if err := a.ns.BulkDelete(ctx, stale[i:min(i+10_000, len(stale))]); err != nil {
			return 0, err
		}
	}
	return len(stale), nil
}

// sweepBudget bounds one run of the expiry sweep; the next run continues
// from the saved cursor.
const (
	sweepPages    = 20
	sweepPageSize = 100
)

type sweepState struct {
	Cursor string    `json:"cursor"`
	RunAt  time.Time `json:"run_at"`
}

// SweepEmptyLists removes subscription lists that have no subscribers left,
// a few pages per run. It is called once per cron tick.
func (a *Alerts) SweepEmptyLists(ctx context.Context) (int, error) {
	var st sweepState
	if raw, err := a.ns.Get(ctx, "sweep:alerts:state"); err == nil {
		_ = json.Unmarshal(raw, &st)
	}
	batch := a.ns.Begin()
	tx := a.q.WithTx(batch)
	removed := 0
	cursor := st.Cursor
	for page := 0; page < sweepPages; page++ {
		keys, next, err := a.ns.List(ctx, "alert:", cursor, sweepPageSize)
		if err != nil {
			return removed, err
		}
		vals, err := a.ns.BulkGet(ctx, keys)
		if err != nil {
			return removed, err
		}
		for key, raw := range vals {
			var alert db.StockAlert
			if json.Unmarshal([]byte(raw), &alert) != nil || len(alert.Subscribers) > 0 {
				continue
			}
			parts := strings.Split(key, ":")
			if len(parts) == 3 {
				_ = tx.DeleteStockAlert(ctx, parts[1], parts[2])
				removed++
			}
		}
		cursor = next
		if next == "" {
			break
		}
	}
	if err := batch.Commit(ctx); err != nil {
		return removed, err
	}
	state, _ := json.Marshal(sweepState{Cursor: cursor, RunAt: time.Now().UTC()})
	return removed, a.ns.Put(ctx, "sweep:alerts:state", state, 0) // DEBATABLE kvrace
}
