// Command harborctl runs harbor maintenance jobs by name, e.g. from cron:
//
//	harborctl purge-departed warm-schedules
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"time"

	"example.com/harbor/internal/config"
	"example.com/harbor/internal/jobs"
	"example.com/harbor/internal/storage/kvstore"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintf(os.Stderr, "usage: harborctl <job>...\njobs: %s\n", strings.Join(jobs.Names(), ", "))
		os.Exit(2)
	}
	cfg, err := config.Load()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	client := kvstore.NewClient(cfg.APIToken, 30*time.Second)
	env := jobs.Env{
		Client:   client,
		Account:  cfg.AccountID,
		MainNS:   cfg.MainNamespace,
		CacheNS:  cfg.CacheNamespace,
		Store:    kvstore.New(client, cfg.AccountID, cfg.MainNamespace),
		Log:      slog.New(slog.NewTextHandler(os.Stderr, nil)),
		PageSize: cfg.SyncPageSize,
		MaxPages: cfg.SyncMaxPages,
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var errs []error
	for _, name := range os.Args[1:] {
		err := jobs.Run(ctx, name, env)
		var unknown *jobs.UnknownJobError
		if errors.As(err, &unknown) {
			fmt.Fprintf(os.Stderr, "unknown job %q (have: %s)\n", unknown.Name, strings.Join(jobs.Names(), ", "))
			os.Exit(2)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		env.Log.Error("jobs failed", "err", err)
		os.Exit(1)
	}
}
