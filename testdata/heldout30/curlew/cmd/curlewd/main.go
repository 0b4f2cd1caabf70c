// Command curlewd runs the curlew last-mile delivery API and its background
// jobs.
package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"example.com/curlew/internal/config"
	"example.com/curlew/internal/courier"
	"example.com/curlew/internal/flags"
	"example.com/curlew/internal/geocode"
	"example.com/curlew/internal/httpapi"
	"example.com/curlew/internal/infra/cfrest"
	"example.com/curlew/internal/infra/cfsdk"
	"example.com/curlew/internal/jobs"
	"example.com/curlew/internal/kv/memkv"
	"example.com/curlew/internal/kv/observe"
	"example.com/curlew/internal/kv/prefixroute"
	"example.com/curlew/internal/partner"
	"example.com/curlew/internal/pin"
	"example.com/curlew/internal/pod"
	"example.com/curlew/internal/routeplan"
	"example.com/curlew/internal/tracking"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	slog.SetDefault(log)
	if err := run(log); err != nil {
		log.Error("curlewd stopped", "err", err)
		os.Exit(1)
	}
}

func run(log *slog.Logger) error {
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	// Clients. The partner namespace predates the v5 client and still uses
	// the v0 one; everything else is on v5.
	v0, err := cfrest.NewAPI(cfg.APIToken)
	if err != nil {
		return err
	}
	v5 := cfsdk.NewClient(cfg.APIToken)
	httpClient := &http.Client{Timeout: 10 * time.Second}

	partnersNS := cfrest.NewNamespace(v0, cfg.AccountID, cfg.Namespaces.Partners)
	mainNS := cfsdk.NewNamespace(v5, cfg.AccountID, cfg.Namespaces.Main)
	podNS := cfsdk.NewNamespace(v5, cfg.AccountID, cfg.Namespaces.POD)

	// Storage: sessions and durable data go to KV; tmp: keys stay in memory.
	mainKV := observe.Wrap(cfsdk.NewAdapter(mainNS), "main", nil)
	scratch := memkv.New()
	store := prefixroute.New(mainKV,
		prefixroute.Route("sess:", mainKV),
		prefixroute.Route("tmp:", scratch),
	)
	partnerKV := observe.Wrap(cfrest.NewAdapter(partnersNS), "partners", nil)
	podKV := observe.Wrap(cfsdk.NewAdapter(podNS), "pod", nil)

	queue := jobs.NewQueue(cfg.Jobs.QueueSize, log)
	flagSrc := flags.NewKVFlags(store, "config:flags", time.Minute, flags.Static{flags.PinVaultV2: true})

	// Couriers.
	sessions := courier.NewSessions(store)
	logins := courier.NewLogins(store, sessions, directory{store: store},
		smsSender(os.Getenv("CURLEW_SMS_URL"), httpClient),
		cfg.Sessions.MagicLink.Duration, "https://app.curlew.example")
	plans := routeplan.NewService(store)
	shifts := courier.NewShifts(store, sessions, cfsdk.NewDeviceTokens(mainNS), plans, queueScheduler{q: queue})

	// Tracking, PINs, proof of delivery.
	trackingSvc := tracking.New(store, queue, tracking.Config{
		LiveETATTL:  cfg.Tracking.LiveETATTL.Duration,
		NotFoundTTL: 40 * time.Second, // EXPECT kvttl
	})
	pins := pin.New(cfrest.NewPinVault(partnersNS), store, flagSrc, []byte(os.Getenv("CURLEW_PIN_PEPPER")), 72*time.Hour)
	podSvc := pod.New(podKV, trackingSvc, pod.Config{Retention: cfg.POD.Retention.Duration})

	// Partners.
	keys := partner.NewKeys(cfsdk.NewKeyRing(mainNS), cfrest.NewQuotaStore(partnersNS),
		cfrest.NewAuditLog(partnersNS), cfg.Partner.DailyQuota)
	webhooks := partner.NewWebhooks(partnerKV, queue, &http.Client{Timeout: cfg.Partner.WebhookTimeout.Duration})

	geo := geocode.New(store, mainKV, flagSrc, httpClient, geocode.Config{
		CacheTTL:    cfg.Geocode.CacheTTL.Duration,
		Jitter:      cfg.Geocode.Jitter.Duration,
		ProviderURL: cfg.Geocode.ProviderURL,
		FallbackURL: os.Getenv("CURLEW_GEOCODE_FALLBACK"),
		DailyQuota:  20000,
	})

	if err := cfrest.NewSettings(partnersNS).EnsureDefaults(ctx); err != nil {
		log.Warn("could not seed settings", "err", err)
	}

	startJobs(ctx, cfg, queue, jobDeps{
		plans:   plans,
		sweeper: cfrest.NewSweeper(partnersNS),
		reports: cfsdk.NewReports(mainNS),
		podSweep: &sweepJob{
			store:    podKV,
			prefix:   "pod:upload-tmp:",
			pageSize: 5, // EXPECT kvlimits
			maxPages: 20,
		},
		depots: strings.Split(os.Getenv("CURLEW_DEPOTS"), ","),
	})

	api := httpapi.Handler(httpapi.Services{
		Sessions: sessions,
		Logins:   logins,
		Shifts:   shifts,
		Couriers: courier.NewStore(store),
		Plans:    plans,
		Tracking: trackingSvc,
		Pins:     pins,
		POD:      podSvc,
		Keys:     keys,
		Webhooks: webhooks,
		Geo:      geo,
		Dedupe:   cfrest.NewWebhookDedupe(partnersNS),
		Store:    store,
	}, log)

	srv := &http.Server{Addr: cfg.ListenAddr, Handler: api, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	log.Info("listening", "addr", cfg.ListenAddr)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
