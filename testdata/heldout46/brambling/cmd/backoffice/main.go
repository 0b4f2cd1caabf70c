//go:build !js

// Command backoffice runs brambling's background jobs: menu publishing,
// stock mirroring and the nightly clean-up of promo and menu keys.
package main

import (
	"context"
	"errors"
	"flag"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"brambling/internal/config"
	"brambling/internal/keys"
	"brambling/internal/kvstore"
	"brambling/internal/menu"
	"brambling/internal/stock"
)

func main() {
	cfgPath := flag.String("config", func() string {
		if p := os.Getenv("BRAMBLING_CONFIG"); p != "" {
			return p
		}
		return "config/brambling.json"
	}(), "path to the JSON config file")
	flag.Parse()

	cfg, err := config.Load(*cfgPath)
	if err != nil {
		slog.Error("config", "err", err)
		os.Exit(1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	catalog := kvstore.New(cfg.APIToken, cfg.AccountID, cfg.Namespace("catalog"))
	ops := kvstore.New(cfg.APIToken, cfg.AccountID, cfg.Namespace("ops"))

	menus := menu.New(catalog, nil, cfg)
	pub := &stock.Publisher{KV: catalog, Warehouses: []string{"bristol", "leeds"}, Every: cfg.SyncEvery}

	errc := make(chan error, 3)
	go func() { errc <- (&menu.Refresher{Svc: menus, Every: time.Hour}).Run(ctx) }()
	go func() { errc <- pub.Run(ctx) }()
	go func() { errc <- nightly(ctx, ops, menus) }()

	var errs []error
	for range 3 {
		if err := <-errc; err != nil && !errors.Is(err, context.Canceled) {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		slog.Error("backoffice", "err", err)
		os.Exit(1)
	}
}

// nightly runs the clean-up at 03:00 UTC each day.
func nightly(ctx context.Context, ops *kvstore.Store, menus *menu.Service) error {
	for {
		now := time.Now().UTC()
		next := time.Date(now.Year(), now.Month(), now.Day(), 3, 0, 0, 0, time.UTC)
		if !next.After(now) {
			next = next.Add(24 * time.Hour)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Until(next)):
		}
		if err := cleanup(ctx, ops, menus); err != nil {
			slog.Warn("cleanup", "err", err)
		}
	}
}

func cleanup(ctx context.Context, ops *kvstore.Store, menus *menu.Service) (err error) {
	const marker = "jobs/cleanup/running"
	if err := ops.Put(ctx, marker, []byte(strconv.Itoa(os.Getpid())), 2*time.Hour); err != nil {
		return err
	}
	defer ops.Delete(ctx, marker)
	defer func() {
		stamp := []byte(time.Now().UTC().Format(time.RFC3339))
		err = errors.Join(err, ops.Put(ctx, "jobs/cleanup/last-run", stamp, 0))
	}()

	keep := keys.Week(time.Now().AddDate(0, 0, -28))
	n, err := menus.Prune(ctx, keep)
	slog.Info("pruned menus", "n", n, "before", keep)
	return err
}
