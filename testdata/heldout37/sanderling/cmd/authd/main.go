// Command authd is the auth backend. With -mode=serve (the default) it serves
// the HTTP API: API keys, the gateway's verify endpoint, dashboard sessions and
// the OAuth device flow. -mode=janitor is run by the nightly cron trigger and
// -mode=consume-usage drains the usage-events queue.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"syscall"
	"time"

	cfv0 "github.com/cloudflare/cloudflare-go"
	cloudflare "github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/option"

	"sanderling/internal/apikeys"
	"sanderling/internal/config"
	"sanderling/internal/kvstore"
	"sanderling/internal/oauth"
	"sanderling/internal/ratelimit"
	"sanderling/internal/session"
)

type deps struct {
	cfg    config.Settings
	log    *slog.Logger
	client *cloudflare.Client
	api    *cfv0.API
	rc     *cfv0.ResourceContainer
	auth   *kvstore.REST
	state  *kvstore.REST
	cache  *kvstore.REST
}

func main() {
	mode := flag.String("mode", "serve", "serve, janitor or consume-usage")
	exportPath := flag.String("export", "", "janitor: also write the metadata export to this file")
	flag.Parse()
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	cfg, err := config.FromEnv()
	if err != nil {
		log.Error("config", "err", err)
		os.Exit(2)
	}
	api, err := cfv0.NewWithAPIToken(cfg.APIToken)
	if err != nil {
		log.Error("cloudflare client", "err", err)
		os.Exit(1)
	}
	client := cloudflare.NewClient(option.WithAPIToken(cfg.APIToken), option.WithMaxRetries(2))
	d := deps{
		cfg: cfg, log: log, client: client, api: api, rc: cfv0.AccountIdentifier(cfg.AccountID),
		auth:  kvstore.NewREST(client, cfg.AccountID, cfg.AuthNamespace),
		state: kvstore.NewREST(client, cfg.AccountID, cfg.StateNamespace),
		cache: kvstore.NewREST(client, cfg.AccountID, cfg.CacheNamespace),
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	switch *mode {
	case "serve":
		err = serve(ctx, d)
	case "janitor":
		err = runJanitor(ctx, d, *exportPath)
	case "consume-usage":
		err = consumeUsage(ctx, d)
	default:
		err = fmt.Errorf("unknown mode %q", *mode)
	}
	if err != nil {
		log.Error(*mode, "err", err)
		os.Exit(1)
	}
}

func serve(ctx context.Context, d deps) error {
	m := &kvstore.Metrics{}
	keysNS := kvstore.Stack(d.auth, kvstore.WithPrefix("auth:"), kvstore.WithMetrics(m), kvstore.WithLogging(d.log))
	oauthNS := kvstore.Stack(d.auth, kvstore.WithPrefix("oauth:"), kvstore.WithTTLFloor(time.Minute), kvstore.WithMetrics(m))
	sessNS := kvstore.Stack(d.auth, kvstore.WithPrefix("sess:"), kvstore.WithMetrics(m))
	statsNS := kvstore.Stack(d.state, kvstore.WithPrefix("stats:"), kvstore.WithMetrics(m))

	keys := apikeys.NewService(keysNS, kvstore.Stack(d.cache, kvstore.WithMetrics(m)), apikeys.NewCache(d.api, d.rc, d.cfg.CacheNamespace))
	limiter := ratelimit.New(d.api, d.rc, d.cfg.StateNamespace)
	sessions := session.NewManager(sessNS)
	flow := oauth.NewDeviceFlow(oauthNS, []byte(os.Getenv("TOKEN_SIGNING_KEY")))

	if err := keys.PublishFullAccess(ctx); err != nil {
		d.log.Warn("publishing full-access mask", "err", err)
	}
	for _, plan := range slices.Sorted(maps.Keys(config.MonthlyQuota)) {
		if err := limiter.SetPlanQuota(ctx, plan); err != nil {
			d.log.Warn("publishing plan quota", "plan", plan, "err", err)
		}
	}

	mux := http.NewServeMux()
	apikeys.NewHandler(keys, limiter, statsNS).Register(mux)
	session.NewHandler(sessions).Register(mux)
	oauth.NewHandler(flow, sessions, statsNS, d.cfg.Issuer).Register(mux)
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintf(w, "kv_reads %d\nkv_writes %d\nkv_deletes %d\nkv_lists %d\nkv_misses %d\nkv_errors %d\n",
			m.Reads.Load(), m.Writes.Load(), m.Deletes.Load(), m.Lists.Load(), m.Misses.Load(), m.Errors.Load())
	})

	srv := &http.Server{Addr: d.cfg.ListenAddr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	d.log.Info("listening", "addr", d.cfg.ListenAddr)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
