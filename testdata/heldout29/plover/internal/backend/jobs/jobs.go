// Package jobs runs the backend's periodic work: referee reminders, weekly
// digests, cached tables and housekeeping.
package jobs

import (
	"context"
	"encoding/json"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"

	"example.com/plover/internal/backend/config"
	"example.com/plover/internal/backend/store"
	"example.com/plover/internal/league"
)

// standingsSQL computes a season's table from the results database.
const standingsSQL = `SELECT t.id AS team, COUNT(r.match_id) AS played, ` +
	`SUM(CASE WHEN r.goals_for > r.goals_against THEN 1 ELSE 0 END) AS won, ` +
	`SUM(CASE WHEN r.goals_for = r.goals_against THEN 1 ELSE 0 END) AS drawn, ` +
	`SUM(CASE WHEN r.goals_for < r.goals_against THEN 1 ELSE 0 END) AS lost, ` +
	`COALESCE(SUM(r.goals_for), 0) AS gf, COALESCE(SUM(r.goals_against), 0) AS ga, ` +
	`COALESCE(SUM(CASE WHEN r.goals_for > r.goals_against THEN 3 WHEN r.goals_for = r.goals_against THEN 1 ELSE 0 END), 0) AS points ` +
	`FROM teams t LEFT JOIN team_results r ON r.team_id = t.id AND r.final = TRUE ` +
	`WHERE t.season_id = $1 AND t.withdrawn = FALSE ` +
	`GROUP BY t.id ORDER BY points DESC, (gf - ga) DESC, gf DESC, t.id`

// Ledger is the results database.
type Ledger interface {
	ActiveSeasons(ctx context.Context) ([]league.SeasonID, error)
	Standings(ctx context.Context, query string, season league.SeasonID) ([]league.Standing, error)
}

// Notifier sends e-mail.
type Notifier interface {
	RemindReferee(ctx context.Context, referee string, match string) error
}

// Runner holds the jobs' dependencies.
type Runner struct {
	cf      *cloudflare.Client
	account string
	nsID    string
	ns      store.Namespace
	cfg     *config.Config
	ledger  Ledger
	notify  Notifier
	log     *slog.Logger
	now     func() time.Time
}

// New builds a runner.
func New(cf *cloudflare.Client, cfg *config.Config, ns store.Namespace, ledger Ledger, notify Notifier, log *slog.Logger) *Runner {
	return &Runner{
		cf: cf, account: cfg.AccountID, nsID: cfg.NamespaceID,
		ns: ns, cfg: cfg, ledger: ledger, notify: notify, log: log, now: time.Now,
	}
}

// Start launches every job on its own ticker until ctx ends.
func (r *Runner) Start(ctx context.Context) {
	r.every(ctx, time.Minute, "heartbeat", r.heartbeat)
	r.every(ctx, time.Hour, "peek", r.peek)
	r.every(ctx, r.cfg.RemindEvery, "remind", r.remindReferees)
	r.every(ctx, 15*time.Minute, "tables", r.cacheTables)
	r.every(ctx, 24*time.Hour, "purge", r.purgeSlots)
}

func (r *Runner) every(ctx context.Context, d time.Duration, name string, fn func(context.Context) error) {
	go func() {
		t := time.NewTicker(d)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := fn(ctx); err != nil {
					r.log.Error("job failed", "job", name, "err", err)
				}
			}
		}
	}()
}

// heartbeat lets the status page see that the jobs are running.
func (r *Runner) heartbeat(ctx context.Context) error {
	stamp := []byte(r.now().UTC().Format(time.RFC3339))
	return r.ns.Put(ctx, "jobs:heartbeat", stamp, &store.PutOpts{TTL: 10 * time.Minute})
}

// peek samples the namespace so the status page shows it is reachable.
func (r *Runner) peek(ctx context.Context) error {
	page, err := r.cf.KV.Namespaces.Keys.List(ctx, r.nsID, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(r.account),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	})
	if err != nil {
		return err
	}
	r.log.Info("kv reachable", "sample", len(page.Result), "more", page.ResultInfo.Cursor != "")
	return nil
}

// remindReferees e-mails every assigned referee. The referee is carried in
// each key's metadata, so no value has to be read.
func (r *Runner) remindReferees(ctx context.Context) error {
	iter := r.cf.KV.Namespaces.Keys.ListAutoPaging(ctx, r.nsID, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(r.account),
		Prefix:    cloudflare.F("assign:"),
	})
	for iter.Next() {
		k := iter.Current()
		ref, _ := k.Metadata["ref"].(string)
		if ref == "" {
			continue
		}
		if err := r.notify.RemindReferee(ctx, ref, k.Name[len("assign:"):]); err != nil {
			return err
		}
	}
	return iter.Err()
}

// cacheTables stores each active season's table for the edge to serve.
func (r *Runner) cacheTables(ctx context.Context) error {
	seasons, err := r.ledger.ActiveSeasons(ctx)
	if err != nil {
		return err
	}
	for _, season := range seasons {
		rows, err := r.ledger.Standings(ctx, standingsSQL, season)
		if err != nil {
			return err
		}
		body, _ := json.Marshal(rows)
		if err := r.ns.Put(ctx, "sql:"+standingsSQL+":"+string(season), body, &store.PutOpts{TTL: 20 * time.Minute}); err != nil { // EXPECT kvlimits
			return err
		}
	}
	return nil
}

// purgeSlots deletes field booking slots (slot:<field>:<unix>) that are
// more than a week in the past.
func (r *Runner) purgeSlots(ctx context.Context) error {
	slots := r.ns.Prefixed("slot:")
	cutoff := r.now().AddDate(0, 0, -7).Unix()
	cursor := ""
	for range 50 {
		page, err := slots.List(ctx, "", cursor, r.cfg.ListPageSize)
		if err != nil {
			return err
		}
		for _, e := range page.Entries {
			at, err := strconv.ParseInt(e.Name[strings.LastIndexByte(e.Name, ':')+1:], 10, 64)
			if err != nil || at >= cutoff {
				continue
			}
			if err := slots.Delete(ctx, e.Name); err != nil {
				return err
			}
		}
		if page.Complete() {
			return nil
		}
		cursor = page.Cursor
	}
	r.log.Warn("slot purge stopped at page budget")
	return nil
}

// ArchiveSeason keeps a season's final table for three years.
func (r *Runner) ArchiveSeason(ctx context.Context, season league.SeasonID) error {
	rows, err := r.ledger.Standings(ctx, standingsSQL, season)
	if err != nil {
		return err
	}
	keep := r.now().AddDate(3, 0, 0)
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(rows))
	for _, row := range rows {
		b, _ := json.Marshal(row)
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:        cloudflare.F("archive:" + string(season) + ":" + string(row.Team)),
			Value:      cloudflare.F(string(b)),
			Expiration: cloudflare.F(float64(keep.UnixMilli())), // EXPECT kvttl
		})
	}
	_, err = r.cf.KV.Namespaces.Bulk.Update(ctx, r.nsID, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(r.account),
		Body:      body,
	})
	return err
}
