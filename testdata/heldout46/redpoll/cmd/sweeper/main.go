//go:build !js

// Command sweeper runs the nightly expiry sweep and the view-count publisher.
package main

import (
	"context"
	"flag"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/option"

	"github.com/redpoll-jobs/redpoll/internal/config"
	"github.com/redpoll-jobs/redpoll/internal/employers"
	"github.com/redpoll-jobs/redpoll/internal/kvrest"
	"github.com/redpoll-jobs/redpoll/internal/sweep"
)

func main() {
	cfgPath := flag.String("config", "/etc/redpoll/config.json", "JSON config file")
	once := flag.Bool("once", false, "run one sweep and exit")
	flag.Parse()

	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	cfg, err := config.Load(*cfgPath, os.Getenv)
	if err != nil {
		log.Error("config", "err", err)
		os.Exit(1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	store := kvrest.New(cfg)
	api := cloudflare.NewClient(option.WithAPIToken(cfg.APIToken))
	sw := sweep.New(store, api, cfg, log)

	if *once {
		n, err := sw.Run(ctx)
		if err != nil {
			log.Error("sweep", "err", err, "expired", n)
			os.Exit(1)
		}
		log.Info("sweep", "expired", n)
		return
	}

	views := employers.NewViewTally(store, log)
	go views.Run(ctx, time.Minute)
	if err := sw.Loop(ctx); err != nil && ctx.Err() == nil {
		log.Error("sweep loop", "err", err)
		os.Exit(1)
	}
}
