//go:build js && wasm

// Package cronjobs holds the worker's scheduled tasks.
package cronjobs

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/kv"

	"example.com/saffron/internal/config"
	"example.com/saffron/internal/domain"
	"example.com/saffron/internal/keys"
)

// Runner runs the scheduled tasks against one namespace.
type Runner struct {
	ns     *kv.Namespace
	venues []string
	cfg    config.ReportsConfig
}

// NewRunner builds a Runner for the given venues.
func NewRunner(ns *kv.Namespace, venues []string, cfg config.ReportsConfig) *Runner {
	return &Runner{ns: ns, venues: venues, cfg: cfg}
}

// Task is the entry point given to cron.ScheduleTask.
func (r *Runner) Task(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	switch ev.Cron {
	case "*/15 * * * *":
		return r.SweepHolds(ctx, ev.ScheduledTime)
	case "30 4 * * *":
		return r.Nightly(ctx, ev.ScheduledTime)
	default:
		return fmt.Errorf("unknown schedule %q", ev.Cron)
	}
}

// SweepHolds counts holds whose slot has already started.
func (r *Runner) SweepHolds(ctx context.Context, now time.Time) error {
	cursor := ""
	stale := 0
	for {
		res, err := r.ns.List(&kv.ListOptions{Prefix: "hold:", Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			if k.Expiration > 0 && time.Unix(int64(k.Expiration), 0).Before(now) {
				stale++
			}
		}
		if res.ListComplete {
			break
		}
		cursor = res.Cursor
	}
	return r.ns.PutString("sweep:holds:last", fmt.Sprintf(`{"at":%q,"stale":%d}`, now.Format(time.RFC3339), stale), nil)
}

// Nightly builds yesterday's report for every venue and writes each once.
func (r *Runner) Nightly(ctx context.Context, now time.Time) error {
	ctx, cancel := context.WithTimeout(ctx, r.cfg.Deadline)
	defer cancel()
	day := now.Add(-24 * time.Hour)
venues:
	for _, venueID := range r.venues {
		select {
		case <-ctx.Done():
			break venues
		default:
		}
		rep, err := r.collect(ctx, venueID, day)
		if err != nil {
			continue venues
		}
		b, _ := json.Marshal(rep)
		if err := r.ns.PutString(keys.Report(venueID, day), string(b), &kv.PutOptions{ExpirationTTL: 90 * 24 * 3600}); err != nil {
			return err
		}
	}
	return nil
}

func (r *Runner) collect(ctx context.Context, venueID string, day time.Time) (domain.DailyReport, error) {
	rep := domain.DailyReport{VenueID: venueID, Day: day.Format("2006-01-02")}
	prefix := strings.Join([]string{"resv", venueID, ""}, ":")
	cursor := ""
	for page := 0; page < r.cfg.MaxPages; page++ {
		if ctx.Err() != nil {
			return rep, ctx.Err()
		}
		res, err := r.ns.List(&kv.ListOptions{Prefix: prefix, Cursor: cursor, Limit: r.cfg.PageSize})
		if err != nil {
			return rep, err
		}
		for _, k := range res.Keys {
			v, err := r.ns.GetString(k.Name, nil) // EXPECT kvlist
			if err != nil || v == "<null>" {
				continue
			}
			var resv domain.Reservation
			if json.Unmarshal([]byte(v), &resv) != nil || resv.Start.Format("2006-01-02") != rep.Day {
				continue
			}
			rep.Reservations++
			rep.Covers += resv.Party
			if resv.Status == "no_show" {
				rep.NoShows++
			}
		}
		if res.ListComplete {
			return rep, nil
		}
		cursor = res.Cursor
	}
	return rep, nil
}

// Heartbeat writes one timestamp per run; the cron fires every fifteen
// minutes.
func (r *Runner) Heartbeat(now time.Time) error {
	return r.ns.PutString("cron:heartbeat", now.UTC().Format(time.RFC3339), &kv.PutOptions{ExpirationTTL: 3600})
}
