//go:build js && wasm

// Package scheduled holds the Worker's cron handlers.
package scheduled

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"example.com/linnet/internal/edge/workerkv"
	"example.com/linnet/internal/storage"
	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/kv"
)

// Notifier sends push reminders.
type Notifier interface {
	StreakAtRisk(ctx context.Context, learners []string) error
}

type Deps struct {
	KV       *workerkv.Store
	Store    storage.Store
	Notifier Notifier
	Log      *slog.Logger
}

// Task returns the function registered with cron.ScheduleTaskNonBlock. The
// schedules match the triggers in wrangler.jsonc.
func Task(d Deps) cron.Task {
	return func(ctx context.Context) error {
		ev, err := cron.NewEvent(ctx)
		if err != nil {
			return err
		}
		switch ev.Cron {
		case "*/15 * * * *":
			err = d.quarterHourly(ctx, ev.ScheduledTime)
		case "0 3 * * *":
			err = d.nightly(ctx, ev.ScheduledTime)
		default:
			err = fmt.Errorf("scheduled: unknown schedule %q", ev.Cron)
		}
		d.Log.InfoContext(ctx, "cron finished", "cron", ev.Cron, "err", err)
		return err
	}
}

type digest struct {
	Date string
	Runs []string
}

func (d Deps) quarterHourly(ctx context.Context, at time.Time) error {
	day := at.UTC().Format(time.DateOnly)
	err := storage.Update(ctx, d.Store, "digest:"+day, func(dg *digest) error {
		dg.Date = day
		dg.Runs = append(dg.Runs, at.UTC().Format("15:04"))
		return nil
	}, storage.WithTTL(7*24*time.Hour))
	if err != nil {
		return err
	}
	// Refresh the list of class IDs used by search and by the backend's
	// leaderboard publisher.
	var ids []string
	opts := storage.ListOptions{Prefix: "class:", Limit: 1000}
	for range 20 {
		page, err := d.Store.List(ctx, opts)
		if err != nil {
			return err
		}
		for _, k := range page.Keys {
			ids = append(ids, strings.TrimPrefix(k.Name, "class:"))
		}
		if page.Complete {
			break
		}
		opts.Cursor = page.Cursor
	}
	if err := storage.PutJSON(ctx, d.Store, "directory:classes", ids, storage.WithTTL(time.Hour)); err != nil {
		return err
	}
	return d.Store.Put(ctx, "cron:last-run", []byte(at.UTC().Format(time.RFC3339)))
}

func (d Deps) nightly(ctx context.Context, at time.Time) error {
	ns := d.KV.Namespace()
	if err := d.remindStreaks(ctx, ns, at); err != nil {
		return err
	}
	return d.exportRosters(ns)
}

// remindStreaks nudges learners whose streak lapses within a day; streak keys
// get a 72h lifetime whenever the streak moves, so expiry tells the last day.
func (d Deps) remindStreaks(ctx context.Context, ns *kv.Namespace, at time.Time) error {
	var atRisk []string
	opts := &kv.ListOptions{Prefix: "streak:"}
	for {
		res, err := ns.List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			if k.Expiration > 0 && time.Unix(int64(k.Expiration), 0).Sub(at) < 24*time.Hour {
				atRisk = append(atRisk, strings.TrimPrefix(k.Name, "streak:"))
			}
		}
		if res.ListComplete {
			break
		}
		opts.Cursor = res.Cursor
	}
	return d.Notifier.StreakAtRisk(ctx, atRisk)
}

// exportRosters stages legacy rosters for the warehouse export, remembering
// how far it got so a failed run can resume.
func (d Deps) exportRosters(ns *kv.Namespace) error {
	opts := &kv.ListOptions{
		Prefix: "roster:",
		Limit:  2000, // EXPECT kvlimits
	}
	for range 5 {
		res, err := ns.List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			class := strings.TrimPrefix(k.Name, "roster:")
			row, _ := json.Marshal(map[string]string{"class": class, "key": k.Name})
			if err := ns.PutString("export:roster:"+class, string(row), &kv.PutOptions{ExpirationTTL: 2 * 24 * 3600}); err != nil {
				return err
			}
			if err := ns.PutString("cron:roster-export-position", k.Name, nil); err != nil { // EXPECT kvhotkey
				return err
			}
		}
		if res.ListComplete {
			break
		}
		opts = &kv.ListOptions{Cursor: res.Cursor}
	}
	return nil
}
