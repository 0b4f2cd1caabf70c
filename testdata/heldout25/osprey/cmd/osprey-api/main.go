// Command osprey-api serves the control plane's HTTP API.
package main

import (
	"context"
	"errors"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"

	"example.com/osprey/internal/audit"
	"example.com/osprey/internal/builds"
	"example.com/osprey/internal/config"
	"example.com/osprey/internal/edge"
	"example.com/osprey/internal/flags"
	"example.com/osprey/internal/httpapi"
	"example.com/osprey/internal/invites"
	"example.com/osprey/internal/locks"
	"example.com/osprey/internal/projects"
	"example.com/osprey/internal/ratelimit"
	"example.com/osprey/internal/storage/cfv0"
	"example.com/osprey/internal/tokens"
	"example.com/osprey/internal/webhooks"
)

// lockGrace is how long a deploy lock survives a crashed deployer.
const lockGrace = 45 * time.Second

func main() {
	cfg := config.FromEnv()
	config.Swap(cfg)

	api, err := cloudflare.NewWithAPIToken(cfg.Cloudflare.APIToken)
	if err != nil {
		log.Fatalf("cloudflare client: %v", err)
	}
	raw := cfv0.New(api, cfg.Cloudflare.AccountID, cfg.Cloudflare.NamespaceID, cfv0.WithTimeout(5*time.Second))

	// Package-level state, set once before serving.
	flags.Init(raw)
	invites.Use(raw)
	audit.Configure(api, cfg.Cloudflare.AccountID, cfg.Cloudflare.NamespaceID, cfg.Limits.Audit.PageSize, cfg.Limits.Audit.MaxPages)
	edge.Use(&edge.Namespace{API: api, RC: cloudflare.AccountIdentifier(cfg.Cloudflare.AccountID), ID: cfg.Cloudflare.NamespaceID})

	tracker := builds.NewTracker(raw, cfg.Cache)
	srv := &httpapi.Server{
		Projects:  projects.NewService(raw, projects.WithCache(cfg.Cache), projects.WithMaxPages(cfg.Limits.Tokens.MaxPages)),
		Locks:     locks.NewManager(raw, locks.WithLeaseTTL(lockGrace)), // EXPECT kvttl
		Builds:    tracker,
		Sessions:  tokens.NewSessions(raw, cfg.Cache),
		Tokens:    tokens.NewTokens(raw, cfg.Limits.Tokens, 50),
		Invites:   invites.NewService(raw, cfg.Cache.Invites.TTL),
		Limiter:   ratelimit.NewFixedWindow(raw, "api", cfg.Limits.API),
		Raw:       raw,
		API:       api,
		AccountID: cfg.Cloudflare.AccountID,
		Namespace: cfg.Cloudflare.NamespaceID,
	}
	hooks := webhooks.NewReceiver(api, cfg.Cloudflare.AccountID, cfg.Cloudflare.NamespaceID, tracker, nil)

	mux := http.NewServeMux()
	mux.Handle("/", srv.Handler())
	mux.HandleFunc("POST /v1/webhooks/ci", hooks.CI)
	mux.HandleFunc("POST /v1/webhooks/push/{project}", hooks.Push)

	hs := &http.Server{Addr: cfg.Addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		_ = hs.Shutdown(shutdown)
	}()
	log.Printf("osprey-api listening on %s", cfg.Addr)
	if err := hs.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}
