// Command cron runs the periodic ops jobs on a fixed schedule.
package main

import (
	"context"
	"database/sql"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"example.com/ops/internal/cfclient"
	"example.com/ops/jobs"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	legacy, rc, err := cfclient.Legacy()
	if err != nil {
		slog.Error("cloudflare", "err", err)
		os.Exit(1)
	}
	v6, err := cfclient.V6()
	if err != nil {
		slog.Error("cloudflare", "err", err)
		os.Exit(1)
	}
	v4, err := cfclient.V4()
	if err != nil {
		slog.Error("cloudflare", "err", err)
		os.Exit(1)
	}
	account, _ := cfclient.AccountID()
	db, err := sql.Open("pgx", os.Getenv("DATABASE_URL"))
	if err != nil {
		slog.Error("database", "err", err)
		os.Exit(1)
	}
	defer db.Close()

	r := jobs.NewRunner(legacy, rc, v6, v4, account, db)
	views := &jobs.ViewBuffer{}
	downloads := jobs.NewDownloadCounter(nil)

	every := func(d time.Duration, name string, fn func(context.Context) error) {
		go func() {
			t := time.NewTicker(d)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
					if err := r.Run(ctx, name, fn); err != nil {
						slog.Error("job failed", "job", name, "err", err)
					}
				}
			}
		}()
	}

	every(time.Minute, "heartbeat", r.Heartbeat)
	every(time.Minute, "stats", r.PublishStats)
	every(time.Hour, "top-products", r.PublishTopProducts)
	every(5*time.Minute, "views", func(ctx context.Context) error { return r.FlushViews(ctx, views) })
	every(10*time.Minute, "downloads", func(ctx context.Context) error { return r.PublishDownloads(ctx, downloads) })
	every(30*time.Second, "status", r.StatusPing)

	<-ctx.Done()
}
