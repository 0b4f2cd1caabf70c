// Command quarryd runs the quarry API server, the queue push endpoint and the
// metrics publisher.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"example.com/quarry/internal/artifacts"
	"example.com/quarry/internal/builds"
	"example.com/quarry/internal/cfclient"
	"example.com/quarry/internal/config"
	"example.com/quarry/internal/depcache"
	"example.com/quarry/internal/httpapi"
	"example.com/quarry/internal/kvstore/cfkv"
	"example.com/quarry/internal/legacy/quotas"
	"example.com/quarry/internal/metrics"
	"example.com/quarry/internal/oauth"
	"example.com/quarry/internal/outbox"
	"example.com/quarry/internal/queue"
	"example.com/quarry/internal/ratelimit"
	"example.com/quarry/internal/sessions"
	"example.com/quarry/internal/tokens"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	if err := run(log); err != nil {
		log.Error("quarryd exited", "err", err)
		os.Exit(1)
	}
}

// resolverStub stands in until the resolver service is split out.
type resolverStub struct{}

func (resolverStub) Resolve(ctx context.Context, eco, manifest string) (depcache.Resolution, error) {
	return depcache.Resolution{}, &depcache.ResolveError{Manifest: manifest, Reason: "resolver offline"}
}

func run(log *slog.Logger) error {
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	client := cfclient.New(cfg)
	nsBuilds := cfclient.For(client, cfg, cfg.Namespaces.Builds)
	nsArtifacts := cfclient.For(client, cfg, cfg.Namespaces.Artifacts)
	nsAuth := cfclient.For(client, cfg, cfg.Namespaces.Auth)
	nsCache := cfclient.For(client, cfg, cfg.Namespaces.Cache)

	buildStore := cfkv.New(nsBuilds, log)
	artifactStore := cfkv.New(nsArtifacts, log)
	authStore := cfkv.New(nsAuth, log)
	cacheStore := cfkv.New(nsCache, log)

	sm := sessions.NewManager(authStore, cfg.SessionTTL, log)
	rec := metrics.NewRecorder(nsBuilds, log)
	proj := outbox.NewProjector(buildStore, outbox.StorePut(buildStore), log)
	consumer := queue.NewConsumer(buildStore, proj, log)
	cache := depcache.New(cacheStore, nsCache, resolverStub{}, cfg.CacheTTL, log)

	if err := cache.EnsureIndex(ctx); err != nil {
		log.Warn("cache index not initialised", "err", err)
	}
	go func() {
		wctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		if err := cache.WarmTemplate(wctx); err != nil {
			log.Info("template warm-up skipped", "err", err)
		}
	}()
	go rec.Run(ctx, cfg.FlushEvery)

	gh := oauth.GitHub{
		ClientID: cfg.OAuth.ClientID, ClientSecret: cfg.OAuth.ClientSecret, TokenURL: cfg.OAuth.TokenURL,
		HTTP: &http.Client{Timeout: 15 * time.Second},
	}
	limiter := ratelimit.NewLimiter(authStore, cfg.Limits.RateWindow, cfg.Limits.RatePerWindow)
	api := httpapi.New(httpapi.Deps{
		Store:     artifactStore,
		Builds:    builds.NewService(buildStore, cfg.Retention, cfg.LogTTL, log),
		Artifacts: artifacts.NewService(artifactStore, nsArtifacts, log),
		Tokens:    tokens.NewService(nsAuth, authStore, cfg.TokenTTL, log),
		Sessions:  sm,
		OAuth:     oauth.NewFlow(cfg.OAuth, nsAuth, authStore, sm, gh, log),
		Ledger:    quotas.NewLedger(cfg, log),
		Metrics:   rec,
		Allow:     limiter,
		Log:       log,
	})

	mux := http.NewServeMux()
	mux.Handle("/", api)
	mux.HandleFunc("/internal/queue", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		var batch queue.Batch
		if err := json.NewDecoder(r.Body).Decode(&batch); err != nil {
			http.Error(w, "bad batch", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(consumer.Handle(r.Context(), batch))
	})

	srv := &http.Server{Addr: cfg.ListenAddr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	log.Info("quarryd listening", "addr", cfg.ListenAddr)

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
