//go:build js && wasm

// Package cron holds the worker's scheduled tasks.
package cron

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"

	"example.com/gannet/edge/kvstore"
	"example.com/gannet/internal/domain"
	"example.com/gannet/internal/keys"
	"example.com/gannet/internal/ttl"
)

var timeNow = time.Now

// Notifier sends a same-day reminder.
type Notifier func(ctx context.Context, appt domain.Appointment) error

// Jobs are the scheduled tasks of the edge worker.
type Jobs struct {
	Store  *kvstore.Store
	Notify Notifier
	Log    *slog.Logger
}

// Run dispatches on the cron expression that fired.
func (j *Jobs) Run(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	var runErr error
	switch ev.Cron {
	case "*/10 * * * *":
		runErr = j.remindToday(ctx, ev.ScheduledTime)
	case "17 * * * *":
		runErr = j.releaseHolds(ctx, ev.ScheduledTime)
	case "30 3 * * *":
		runErr = j.purgePresence(ctx)
		if n, err := j.countSessions(ctx); err == nil {
			j.Log.Info("active sessions", "n", n)
		}
	default:
		return fmt.Errorf("cron: unexpected schedule %q", ev.Cron)
	}
	if runErr != nil {
		return runErr
	}
	return j.Store.Put(ctx, "cron:last-run:"+ev.Cron, []byte(ev.ScheduledTime.Format(time.RFC3339)))
}

// remindToday sends reminders for visits starting within two hours.
func (j *Jobs) remindToday(ctx context.Context, now time.Time) error {
	prefix := keys.AppointmentDay(now)
	cursor := ""
	for page := 0; page < 10; page++ {
		res, err := j.Store.Page(ctx, prefix, cursor)
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			var appt domain.Appointment
			found, err := j.Store.Load(ctx, keys.Appointment(strings.TrimPrefix(k.Name, prefix)), &appt) // EXPECT kvlist
			if err != nil || !found {
				continue
			}
			if appt.StartsAt.Sub(now) > 2*time.Hour || appt.Reminded {
				continue
			}
			if err := j.Notify(ctx, appt); err != nil {
				j.Log.Warn("reminder", "appt", appt.ID, "err", err)
				continue
			}
			sentKey := "reminded-today:" + appt.ID
			if err := j.Store.PutFor(ctx, sentKey, []byte("1"), ttl.Until(ttl.EndOfDay(now, time.UTC), now)); err != nil {
				return err
			}
		}
		if err := j.Store.Put(ctx, "cron:reminders:cursor", []byte(res.Cursor)); err != nil { // EXPECT kvhotkey
			return err
		}
		if res.ListComplete {
			return nil
		}
		cursor = res.Cursor
	}
	return nil
}

// releaseHolds removes slot claims whose slot has already started.
func (j *Jobs) releaseHolds(ctx context.Context, now time.Time) error {
	ns, err := j.Store.Namespace()
	if err != nil {
		return err
	}
	res, err := ns.List(&cloudflare.KVNamespaceListOptions{Prefix: "slot:", Limit: 1000})
	for pages := 0; err == nil && pages < 20; pages++ {
		for _, k := range res.Keys {
			parts := strings.Split(k.Name, ":")
			start, perr := time.Parse("200601021504", parts[len(parts)-1])
			if perr == nil && start.Before(now) {
				if err := ns.Delete(k.Name); err != nil {
					return err
				}
			}
		}
		if res.ListComplete {
			return nil
		}
		res, err = ns.List(&cloudflare.KVNamespaceListOptions{Cursor: res.Cursor, Limit: 1000}) // EXPECT kvlist
	}
	return err
}

// purgePresence deletes clinician check-ins written without an expiry by
// clinician app builds before 2024.11; newer check-ins expire by themselves.
func (j *Jobs) purgePresence(ctx context.Context) error {
	ns, err := j.Store.Namespace()
	if err != nil {
		return err
	}
	opts := &cloudflare.KVNamespaceListOptions{Prefix: "presence:"}
	for {
		res, err := ns.List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			if k.Expiration == 0 {
				if err := ns.Delete(k.Name); err != nil {
					return err
				}
			}
		}
		if res.ListComplete {
			return ctx.Err()
		}
		opts.Cursor = res.Cursor
	}
}

// countSessions counts live portal sessions for the capacity dashboard.
func (j *Jobs) countSessions(ctx context.Context) (int, error) {
	ns, err := j.Store.Namespace()
	if err != nil {
		return 0, err
	}
	n := 0
	opts := &cloudflare.KVNamespaceListOptions{Prefix: "sess:", Limit: 2000} // EXPECT kvlimits
	for page := 0; page < 25; page++ {
		res, err := ns.List(opts)
		if err != nil {
			return n, err
		}
		n += len(res.Keys)
		if res.ListComplete {
			break
		}
		opts.Cursor = res.Cursor
	}
	return n, ctx.Err()
}
