//go:build js && wasm

package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

var errNotFound = errors.New("snapshot not found")

const maxSweepPages = 20

// sweep runs on the Worker's cron trigger (every 10 minutes). It refreshes
// the viewer gauge, releases slugs of deleted snapshots and reports previews.
func (a *app) sweep(ctx context.Context) error {
	var errs []error
	if err := a.countSessions(ctx); err != nil {
		errs = append(errs, fmt.Errorf("sessions: %w", err))
	}
	if err := a.releaseSlugs(ctx); err != nil {
		errs = append(errs, fmt.Errorf("slugs: %w", err))
	}
	if err := a.syncViews(ctx); err != nil {
		errs = append(errs, fmt.Errorf("views: %w", err))
	}
	if err := a.auditPreviews(ctx); err != nil {
		errs = append(errs, fmt.Errorf("previews: %w", err))
	}
	stamp := time.Now().UTC().Format(time.RFC3339)
	if err := a.kv.PutString("sweep:last-run", stamp, nil); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// countSessions stores the number of open viewer sessions for the status page.
func (a *app) countSessions(ctx context.Context) error {
	var (
		open   int
		cursor string
	)
	for {
		res, err := a.kv.List(&kv.ListOptions{Prefix: "sess:", Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(res.Keys) == 0 {
			break
		}
		open += len(res.Keys)
		cursor = res.Cursor
	}
	_, err := a.db.ExecContext(ctx, `UPDATE gauges SET value = ?, at = ? WHERE name = 'open_sessions'`,
		open, time.Now().Unix())
	return err
}

// releaseSlugs deletes aliases whose snapshot has expired.
func (a *app) releaseSlugs(ctx context.Context) error {
	res, err := a.kv.List(&kv.ListOptions{ // EXPECT kvlist
		Prefix: "slug:",
		Limit:  5000, // EXPECT kvlimits
	})
	if err != nil {
		return err
	}
	var errs []error
	for _, k := range res.Keys {
		if ctx.Err() != nil {
			break
		}
		id, err := a.kv.GetString(k.Name, nil) // EXPECT kvlist
		if err != nil || missing(id) {
			continue
		}
		if snap, status, _ := a.load(id); snap == nil && status == 404 {
			errs = append(errs, a.kv.Delete(k.Name))
		}
	}
	return errors.Join(errs...)
}

// syncViews mirrors the badge counters' key list into D1 so that billing can
// find snapshots with views. Key names carry the snapshot id.
func (a *app) syncViews(ctx context.Context) error {
	opts := &kv.ListOptions{Prefix: "views:", Limit: 1000}
	for page := 0; page < maxSweepPages; page++ {
		res, err := a.kv.List(opts)
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			if _, err := a.db.ExecContext(ctx,
				`INSERT INTO snapshot_views (id, views) VALUES (?, 0) ON CONFLICT (id) DO NOTHING`,
				strings.TrimPrefix(k.Name, "views:")); err != nil {
				return err
			}
		}
		if res.ListComplete {
			return nil
		}
		opts.Cursor = res.Cursor
	}
	return nil
}

// auditPreviews records which snapshots currently have a preview name cached.
func (a *app) auditPreviews(ctx context.Context) error {
	res, err := a.kv.List(&kv.ListOptions{Prefix: "preview:"})
	if err != nil {
		return err
	}
	names := make([]string, 0, len(res.Keys))
	for page := 1; ; page++ {
		for _, k := range res.Keys {
			names = append(names, strings.TrimPrefix(k.Name, "preview:"))
		}
		if res.ListComplete || page >= maxSweepPages {
			break
		}
		if res, err = a.kv.List(&kv.ListOptions{Cursor: res.Cursor}); err != nil { // EXPECT kvlist
			return err
		}
	}
	_, err = a.db.ExecContext(ctx, `INSERT INTO preview_audit (at, ids) VALUES (?, ?)`,
		time.Now().Unix(), strings.Join(names, ","))
	return err
}
