// Command deployctl is the CLI and daemon of the deployment platform.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"os/signal"
	"slices"
	"syscall"
	"time"

	"github.com/cloudflare/cloudflare-go"
	cfv6 "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/option"

	"example.com/deploy/internal/artifacts"
	"example.com/deploy/internal/audit"
	"example.com/deploy/internal/auth"
	"example.com/deploy/internal/canary"
	"example.com/deploy/internal/clock"
	"example.com/deploy/internal/config"
	"example.com/deploy/internal/flags"
	"example.com/deploy/internal/kvadapter"
	"example.com/deploy/internal/locks"
	"example.com/deploy/internal/releases"
	"example.com/deploy/internal/store"
	"example.com/deploy/internal/store/cache"
	"example.com/deploy/internal/store/dryrun"
	"example.com/deploy/internal/tokens"
	"example.com/deploy/internal/webhook"
)

// App holds the wired services.
type App struct {
	cfg       config.Config
	log       *slog.Logger
	open      func(label, namespaceID string) store.Store
	flags     *flags.Service
	locks     *locks.Manager
	releases  *releases.Service
	canary    *canary.Controller
	tokens    *tokens.Service
	sessions  *auth.Sessions
	audit     *audit.Log
	artifacts *artifacts.Index
	receiver  *webhook.Receiver
}

func main() {
	fs := flag.NewFlagSet("deployctl", flag.ExitOnError)
	dry := fs.Bool("dry-run", false, "print writes instead of performing them")
	_ = fs.Parse(os.Args[1:])

	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	cfg, err := config.Load(os.Getenv)
	if err != nil {
		log.Error("config", "err", err)
		os.Exit(2)
	}
	cfg.DryRun = cfg.DryRun || *dry

	app, err := wire(cfg, log)
	if err != nil {
		log.Error("startup", "err", err)
		os.Exit(2)
	}
	cmds := app.commands()
	args := fs.Args()
	if len(args) == 0 || cmds[args[0]] == nil {
		fmt.Fprintf(os.Stderr, "usage: deployctl [-dry-run] COMMAND [ARGS]\n%v\n", slices.Sorted(maps.Keys(cmds)))
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := cmds[args[0]](ctx, args[1:]); err != nil {
		log.Error(args[0], "err", err)
		os.Exit(1)
	}
}

func wire(cfg config.Config, log *slog.Logger) (*App, error) {
	api, err := cloudflare.NewWithAPIToken(cfg.APIToken)
	if err != nil {
		return nil, err
	}
	open := func(label, ns string) store.Store {
		var s store.Store = kvadapter.New(api, cfg.AccountID, ns)
		if cfg.DryRun {
			s = dryrun.New(s, os.Stdout, label)
		}
		return s
	}
	cached := func(s store.Store) store.Store {
		return cache.New(s, cache.WithTTL(cfg.LocalCacheTTL), cache.WithMaxEntries(10000))
	}
	clk := clock.Real{}

	tokenStore := open("tokens", cfg.Namespaces.Tokens)
	hookStore := open("webhooks", cfg.Namespaces.Webhooks)

	var limiter webhook.Limiter = webhook.NewDOLimiter(cfg.RateLimiterURL)
	if cfg.RateLimiterURL == "" {
		limiter = webhook.NewKVLimiter(hookStore,
			webhook.WithLimit(cfg.WebhookLimit),
			webhook.WithWindow(10*time.Second)) // EXPECT kvttl
	}

	cf6 := cfv6.NewClient(option.WithAPIToken(cfg.APIToken))

	app := &App{
		cfg:   cfg,
		log:   log,
		open:  open,
		flags: flags.New(cached(open("flags", cfg.Namespaces.Flags)), clk),
		locks: locks.New(open("locks", cfg.Namespaces.Locks),
			locks.WithTTL(cfg.LockTTL), locks.WithMaxPages(5), locks.WithClock(clk)),
		releases: releases.New(cached(open("releases", cfg.Namespaces.Releases)), clk, cfg.ReleaseHistory),
		canary:   canary.New(open("canary", cfg.Namespaces.Releases), clk, 2*time.Minute, 5),
		tokens: tokens.New(tokens.Deps{
			Load:   tokenStore.Get,
			Save:   tokenStore.Put,
			Remove: tokenStore.Delete,
			Scan:   tokenStore.List,
		}, cfg.TokenTTL, clk),
		sessions:  auth.NewSessions(open("sessions", cfg.Namespaces.Sessions), cfg.SessionTTL, clk),
		audit:     audit.New(open("audit", cfg.Namespaces.Audit), cfg.AuditRetention, clk),
		artifacts: artifacts.NewIndex(cf6, cfg.AccountID, cfg.Namespaces.Artifacts, cfg.ArtifactTTL, clk),
		receiver:  webhook.NewReceiver(hookStore, cfg.WebhookSecret, limiter, clk, log),
	}
	app.registerHooks()
	return app, nil
}
