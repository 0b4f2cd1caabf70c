//go:build js && wasm

package edge

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/kv"
)

// Scheduled runs on the Worker's cron trigger (every 15 minutes).
func (e *Edge) Scheduled(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	if err := e.rollupOpens(ctx); err != nil {
		return err
	}
	if ev.ScheduledTime.Minute() == 0 {
		return e.syncSuppressions(ctx)
	}
	return nil
}

// rollupOpens copies the open counters into D1, resuming from where the last
// run stopped. Each run reads at most 20 pages.
func (e *Edge) rollupOpens(ctx context.Context) error {
	cursor, err := e.Stats.GetString("rollup:cursor", nil) // EXPECT kvnull
	if err != nil {
		return err
	}
	opts := &kv.ListOptions{Prefix: "opens:", Limit: 1000, Cursor: cursor}
	for range 20 {
		res, err := e.Stats.List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			campaign := strings.TrimPrefix(k.Name, "opens:")
			if _, err := e.DB.ExecContext(ctx, `INSERT INTO open_rollups (campaign, seen_at) VALUES (?, ?) ON CONFLICT DO NOTHING`, campaign, time.Now().Unix()); err != nil {
				return err
			}
		}
		if res.ListComplete {
			cursor = ""
			break
		}
		cursor = res.Cursor
		opts = &kv.ListOptions{Cursor: cursor, Limit: 1000}
	}
	return e.Stats.PutString("rollup:cursor", cursor, &kv.PutOptions{ExpirationTTL: 86400})
}

// syncSuppressions mirrors suppressed addresses into D1 once an hour, at most
// 10 pages per run.
func (e *Edge) syncSuppressions(ctx context.Context) error {
	opts := &kv.ListOptions{
		Prefix: "suppress:",
		Limit:  5000, // EXPECT kvlimits
	}
	synced := 0
	for page := 0; page < 10; page++ {
		res, err := e.Links.List(opts)
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			list, hash, _ := strings.Cut(strings.TrimPrefix(k.Name, "suppress:"), ":")
			if _, err := e.DB.ExecContext(ctx, `INSERT OR IGNORE INTO suppressions (list, email_hash) VALUES (?, ?)`, list, hash); err != nil {
				return err
			}
			synced++
		}
		if res.ListComplete {
			break
		}
		opts.Cursor = res.Cursor
	}
	return e.Stats.PutString("sync:suppressions", strconv.Itoa(synced)+" "+time.Now().UTC().Format(time.RFC3339), &kv.PutOptions{
		Expiration: int(time.Now().Add(48 * time.Hour).Unix()),
	})
}
