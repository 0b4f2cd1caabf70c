package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/cityofpitta/pitta/internal/admin"
	"github.com/cityofpitta/pitta/internal/kvstore"
	"github.com/cityofpitta/pitta/internal/offices"
)

const purgePages = 10

// nightly runs the planning job once a day at 02:00 local time.
func nightly(ctx context.Context, ns *kvstore.Namespace, off *offices.Store, console *admin.Console, log *slog.Logger) {
	for {
		now := time.Now()
		next := time.Date(now.Year(), now.Month(), now.Day()+1, 2, 0, 0, 0, now.Location())
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Until(next)):
		}
		if err := planAll(ctx, ns, off, console, log); err != nil {
			log.Error("nightly planning", "err", err)
		}
		if err := resetViews(ctx, ns); err != nil {
			log.Error("nightly view reset", "err", err)
		}
		stamp := []byte(time.Now().UTC().Format(time.RFC3339))
		if err := ns.Put(ctx, "jobs:nightly:last-run", stamp, 0); err != nil {
			log.Warn("nightly stamp", "err", err)
		}
	}
}

// planAll pre-creates next month's availability markers for every office.
func planAll(ctx context.Context, ns *kvstore.Namespace, off *offices.Store, console *admin.Console, log *slog.Logger) error {
	slugs, err := off.Slugs(ctx)
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	month := time.Date(now.Year(), now.Month()+1, 1, 0, 0, 0, 0, time.UTC)
	for _, slug := range slugs {
		if err := console.PlanMonth(ctx, slug, month); err != nil {
			log.Error("plan month", "office", slug, "err", err)
			continue
		}
		progress := []byte(slug + " " + time.Now().UTC().Format(time.RFC3339))
		if err := ns.Put(ctx, "stats:last-rebuild", progress, 0); err != nil { // EXPECT kvhotkey
			log.Warn("rebuild progress", "err", err)
		}
	}
	return nil
}

// resetViews clears the daily page-view figures.
func resetViews(ctx context.Context, ns *kvstore.Namespace) error {
	var keys []string
	cursor := ""
	for page := 0; page < purgePages; page++ {
		batch, next, err := ns.ListPage(ctx, "views:", cursor, 1000)
		if err != nil {
			return err
		}
		for _, k := range batch {
			keys = append(keys, k.Name)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	return ns.BulkDelete(ctx, keys)
}
