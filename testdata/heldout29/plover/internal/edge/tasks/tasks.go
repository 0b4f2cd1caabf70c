//go:build js && wasm

// Package tasks runs the worker's scheduled jobs: live score refresh,
// referee reminders and the nightly housekeeping.
package tasks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"

	"example.com/plover/internal/edge/kvactor"
	"example.com/plover/internal/edge/kvbind"
	"example.com/plover/internal/league"
)

// Cron expressions configured in wrangler.toml.
const (
	EveryFiveMinutes = "*/5 * * * *"
	Hourly           = "0 * * * *"
	Nightly          = "30 3 * * *"
)

// Origin is the backend API the jobs read from and report to.
type Origin interface {
	LiveMatches(ctx context.Context, day time.Time) ([]league.Match, error)
	ActiveSeasons(ctx context.Context) ([]league.SeasonID, error)
	Standings(ctx context.Context, season league.SeasonID) ([]league.Standing, error)
	SubmitJoin(ctx context.Context, team league.TeamID, player league.PlayerID) error
	RemindReferee(ctx context.Context, a league.Assignment) error
}

// Runner holds the jobs' dependencies.
type Runner struct {
	kv       *kvbind.Client
	ns       *cloudflare.KVNamespace
	actor    *kvactor.Actor
	origin   Origin
	maxPages int
	now      func() time.Time
}

// New builds a runner. maxPages bounds every key scan.
func New(kv *kvbind.Client, actor *kvactor.Actor, origin Origin, maxPages int) *Runner {
	return &Runner{kv: kv, ns: kv.Binding(), actor: actor, origin: origin, maxPages: maxPages, now: time.Now}
}

// Run is the scheduled handler.
func (r *Runner) Run(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	switch ev.Cron {
	case EveryFiveMinutes:
		return r.refreshLive(ctx, ev.ScheduledTime)
	case Hourly:
		return r.remindReferees(ctx)
	case Nightly:
		return errors.Join(r.syncJoins(ctx), r.rebuildStandings(ctx), r.auditSheets(ctx), r.pruneLineups(ctx))
	}
	return fmt.Errorf("tasks: no job for %q", ev.Cron)
}

// refreshLive copies today's live matches to the edge.
func (r *Runner) refreshLive(ctx context.Context, at time.Time) error {
	live, err := r.origin.LiveMatches(ctx, at)
	if err != nil {
		return err
	}
	for _, m := range live {
		body, _ := json.Marshal(m)
		opts := &cloudflare.KVNamespacePutOptions{ExpirationTTL: 3 * 3600}
		if err := r.ns.PutString("live:"+string(m.ID), string(body), opts); err != nil {
			return err
		}
		if err := r.ns.PutString("live:current", string(body), nil); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// syncJoins forwards pending join requests (join:<team>:<player>) to the
// backend.
func (r *Runner) syncJoins(ctx context.Context) error {
	cursor := ""
	for {
		res, err := r.ns.List(&cloudflare.KVNamespaceListOptions{Prefix: "join:", Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			parts := strings.SplitN(k.Name, ":", 3)
			if len(parts) != 3 {
				continue
			}
			if err := r.origin.SubmitJoin(ctx, league.TeamID(parts[1]), league.PlayerID(parts[2])); err != nil {
				return err
			}
			if err := r.ns.Delete(k.Name); err != nil {
				return err
			}
		}
		if res.ListComplete {
			return nil
		}
		cursor = res.Cursor
	}
}

type tableMeta struct {
	Version int       `json:"version"`
	Built   time.Time `json:"built"`
}

// rebuildStandings recomputes every active table and bumps the version
// that clients poll to know when to refetch.
func (r *Runner) rebuildStandings(ctx context.Context) error {
	seasons, err := r.origin.ActiveSeasons(ctx)
	if err != nil {
		return err
	}
	for _, season := range seasons {
		rows, err := r.origin.Standings(ctx, season)
		if err != nil {
			return err
		}
		body, _ := json.Marshal(rows)
		if err := r.kv.Put("standings:"+string(season), string(body), &kvbind.PutOpts{TTL: 26 * time.Hour}); err != nil {
			return err
		}
	}
	// Only this nightly job writes the meta record.
	var meta tableMeta
	raw, ok, err := r.kv.Lookup("standings:meta")
	if err != nil {
		return err
	}
	if ok {
		if err := json.Unmarshal([]byte(raw), &meta); err != nil {
			return err
		}
	}
	meta.Version++
	meta.Built = r.now().UTC()
	body, _ := json.Marshal(meta)
	return r.kv.Put("standings:meta", string(body), nil) // DEBATABLE kvrace
}

// auditSheets logs match sheets that were stored without an expiry.
func (r *Runner) auditSheets(ctx context.Context) error {
	cursor, forever := "", 0
	for {
		page, err := r.ns.List(&cloudflare.KVNamespaceListOptions{ // EXPECT kvlist
			Prefix: "sheet:",
			Cursor: cursor,
			Limit:  5000, // EXPECT kvlimits
		})
		if err != nil {
			return err
		}
		if len(page.Keys) == 0 {
			break
		}
		for _, k := range page.Keys {
			if k.Expiration == 0 {
				forever++
			}
		}
		cursor = page.Cursor
	}
	slog.Info("sheet audit", "without_expiry", forever)
	return nil
}

// pruneLineups removes lineups an old release wrote without an expiry.
func (r *Runner) pruneLineups(ctx context.Context) error {
	page, err := r.kv.Page("lineup:", "", 500)
	for range r.maxPages {
		if err != nil {
			return err
		}
		for _, k := range page.Keys {
			if k.Expiration == 0 {
				if err := r.kv.Delete(k.Name); err != nil {
					return err
				}
			}
		}
		if page.ListComplete {
			return nil
		}
		page, err = r.kv.Page("", page.Cursor, 500) // EXPECT kvlist
	}
	return err
}

// remindReferees nudges every assigned referee.
func (r *Runner) remindReferees(ctx context.Context) error {
	cursor := ""
	for range r.maxPages {
		page, err := r.actor.List(ctx, "assign:", cursor, 200)
		if err != nil {
			return err
		}
		for _, name := range page.Keys {
			raw, ok, err := r.actor.Get(ctx, name) // EXPECT kvlist
			if err != nil {
				return err
			}
			var a league.Assignment
			if !ok || json.Unmarshal([]byte(raw), &a) != nil {
				continue
			}
			if err := r.origin.RemindReferee(ctx, a); err != nil {
				return err
			}
		}
		if page.Complete {
			return nil
		}
		cursor = page.Cursor
	}
	slog.Warn("referee reminders stopped at page budget", "pages", r.maxPages)
	return nil
}
