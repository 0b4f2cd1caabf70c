//go:build js && wasm

// Package jobs holds the cron-triggered tasks of the worker: the featured
// albums shelf, the hourly view rollup and the public sitemap.
package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/kv"
	"golang.org/x/sync/errgroup"
)

// Runner dispatches cron events to jobs by schedule.
type Runner struct {
	ns       *kv.Namespace
	db       *sql.DB
	log      *slog.Logger
	maxPages int
	jobs     map[string]func(ctx context.Context) error
}

// New builds the schedule table; the expressions match wrangler.toml.
func New(ns *kv.Namespace, db *sql.DB, log *slog.Logger, maxPages int) *Runner {
	r := &Runner{ns: ns, db: db, log: log, maxPages: maxPages}
	r.jobs = map[string]func(context.Context) error{
		"*/5 * * * *": r.featured,
		"17 * * * *":  r.rollupViews,
		"30 3 * * *":  r.sitemap,
	}
	return r
}

// Task is passed to cron.ScheduleTask.
func (r *Runner) Task(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	job, ok := r.jobs[ev.Cron]
	if !ok {
		return fmt.Errorf("jobs: no job for schedule %q", ev.Cron)
	}
	if err := job(ctx); err != nil {
		return fmt.Errorf("jobs: %s: %w", ev.Cron, err)
	}
	stamp := ev.ScheduledTime.UTC().Format(time.RFC3339)
	return r.ns.PutString("cron:last-run:"+strings.ReplaceAll(ev.Cron, " ", "_"), stamp, nil)
}

// featured refreshes the home page shelf from the editorial table.
func (r *Runner) featured(ctx context.Context) error {
	var ids string
	err := r.db.QueryRowContext(ctx,
		`SELECT COALESCE(json_group_array(album_id), '[]') FROM (SELECT album_id FROM featured
		 WHERE starts_at <= ?1 AND ends_at > ?1 ORDER BY rank LIMIT 12)`, time.Now().Unix()).Scan(&ids)
	if err != nil {
		return err
	}
	return r.ns.PutString("gallery:featured", ids, &kv.PutOptions{ExpirationTTL: 900})
}

// rollupViews queues the photos with legacy KV counters for the D1 rollup.
func (r *Runner) rollupViews(ctx context.Context) error {
	cursor := ""
	for page := 0; page < r.maxPages; page++ {
		res, err := r.ns.List(&kv.ListOptions{Prefix: "views:photo:", Cursor: cursor, Limit: 5000}) // EXPECT kvlimits
		if err != nil {
			return err
		}
		names := make([]string, 0, len(res.Keys))
		for _, k := range res.Keys {
			names = append(names, strings.TrimPrefix(k.Name, "views:photo:"))
		}
		if err := r.markForRollup(ctx, names); err != nil {
			return err
		}
		if res.ListComplete {
			return nil
		}
		cursor = res.Cursor
	}
	r.log.Warn("view rollup hit page budget", "pages", r.maxPages)
	return nil
}

func (r *Runner) markForRollup(ctx context.Context, photoIDs []string) error {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	for start := 0; start < len(photoIDs); start += 100 {
		chunk := photoIDs[start:min(start+100, len(photoIDs))]
		g.Go(func() error {
			args := make([]any, len(chunk))
			for i, id := range chunk {
				args[i] = id
			}
			q := `INSERT OR IGNORE INTO view_rollup_queue (photo_id) VALUES (?)` + strings.Repeat(",(?)", len(chunk)-1)
			_, err := r.db.ExecContext(ctx, q, args...)
			return err
		})
	}
	return g.Wait()
}

// sitemap lists the public directory and stores the sitemap document.
func (r *Runner) sitemap(ctx context.Context) error {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`)
	cursor := ""
	for {
		res, err := r.ns.List(&kv.ListOptions{Prefix: "public:", Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			fmt.Fprintf(&b, "<url><loc>https://mosaic.example.com/a/%s</loc></url>", strings.TrimPrefix(k.Name, "public:"))
		}
		if res.ListComplete {
			break
		}
		cursor = res.Cursor
	}
	b.WriteString("</urlset>")
	return r.ns.PutString("sitemap:xml", b.String(), &kv.PutOptions{ExpirationTTL: 2 * 86400})
}
