// Command pipit runs the hotel booking API and its background jobs.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"example.com/pipit/internal/auth"
	"example.com/pipit/internal/availability"
	"example.com/pipit/internal/booking"
	"example.com/pipit/internal/bus"
	"example.com/pipit/internal/cfkv"
	"example.com/pipit/internal/cfkv2"
	"example.com/pipit/internal/config"
	"example.com/pipit/internal/doorcode"
	"example.com/pipit/internal/housekeeping"
	"example.com/pipit/internal/httpx"
	"example.com/pipit/internal/jobs"
	"example.com/pipit/internal/kvop"
	"example.com/pipit/internal/loyalty"
	"example.com/pipit/internal/presence"
	"example.com/pipit/internal/ratelimit"
	"example.com/pipit/internal/rates"
	"example.com/pipit/internal/reviews"
	"example.com/pipit/internal/store"
)

func main() {
	if len(os.Args) > 1 {
		os.Exit(runAdmin(os.Args[1], os.Args[2:]))
	}
	if err := serve(); err != nil {
		fmt.Fprintln(os.Stderr, "pipit:", err)
		os.Exit(1)
	}
}

func newLogger(level string) *slog.Logger {
	var lv slog.Level
	_ = lv.UnmarshalText([]byte(level))
	return slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: lv}))
}

// backends are the storage pieces everything else is built on.
type backends struct {
	main    *cfkv.Client
	exec    kvop.Exec
	kv      store.KV
	edge    *cfkv2.Namespace
	metrics *kvop.Metrics
}

func openBackends(cfg config.Config, log *slog.Logger) (backends, error) {
	cf := cfg.Cloudflare
	main, err := cfkv.New(cfkv.Config{APIToken: cf.APIToken, AccountID: cf.AccountID, NamespaceID: cf.MainNamespace, MaxRetries: cf.MaxRetries})
	if err != nil {
		return backends{}, err
	}
	metrics := kvop.NewMetrics()
	exec := kvop.Chain(main.Exec,
		kvop.Logging(log),
		metrics.Interceptor(),
		kvop.Retry(cf.MaxRetries, cf.RetryBackoff.Std(), cfkv.IsRetryable),
		kvop.Prefix(cf.KeyPrefix),
	)
	edge := cfkv2.Open(cf.APIToken, cf.AccountID, cf.EdgeNamespace)
	return backends{main: main, exec: exec, kv: store.FromExec(exec), edge: edge, metrics: metrics}, nil
}

func endpoint(o config.OAuth) auth.Endpoint {
	return auth.Endpoint{TokenURL: o.TokenURL, ClientID: o.ClientID, ClientSecret: o.ClientSecret}
}

func serve() error {
	cfg, err := config.Load(os.Getenv("PIPIT_CONFIG"))
	if err != nil {
		return err
	}
	log := newLogger(cfg.LogLevel)
	be, err := openBackends(cfg, log)
	if err != nil {
		return err
	}
	up, commands := cfg.Upstreams, bus.New()

	channelToken := auth.NewClientCredentials(be.kv, "channel-manager", endpoint(cfg.ChannelManager))
	pmsAPI := api{base: up.PMS, token: channelToken.Token}
	crm := api{base: up.CRM}
	cache, board, revocations := cfkv2.NewCache(be.edge), cfkv2.NewBoard(be.edge), cfkv2.NewRevocations(be.edge)
	guests, devices, vault := cfkv.NewGuests(be.main), cfkv.NewDevices(be.main), cfkv.NewVault(be.main)

	authSvc := auth.New(auth.Deps{
		Sessions: auth.KVSessions(be.kv),
		KV:       be.kv,
		Exec:     be.exec,
		VerifyID: api{base: up.TokenInfo}.Verify,
		Revoker:  revocations,
		Idle:     cfg.SessionIdle.Std(),
		OnSignedIn: []func(ctx context.Context, guestID, device string) error{
			func(ctx context.Context, guestID, _ string) error { return guests.EnsurePrefs(ctx, guestID) },
			func(ctx context.Context, guestID, device string) error { return devices.Remember(ctx, guestID, device) },
			func(ctx context.Context, guestID, _ string) error {
				var profile json.RawMessage
				if err := crm.do(ctx, http.MethodGet, "/guests/"+guestID, nil, &profile); err != nil {
					return err
				}
				return guests.CacheProfile(ctx, guestID, profile, cfg.ProfileCacheTTL.Std())
			},
		},
		Log: log,
	})
	avail := availability.New(be.kv, be.exec, pmsAPI, cfkv2.NewInventory(be.edge), availability.Options{
		HoldTTL:     30 * time.Second, // EXPECT kvttl
		SearchLimit: 30,
	})
	doors := doorcode.New(vault, api{base: up.LockVendor}, be.kv, be.exec)
	hk := housekeeping.New(board, be.exec)
	rateSvc := rates.New(be.kv, cache)
	revs := reviews.New(be.kv)
	for _, r := range []interface{ Register(*bus.Bus) }{authSvc, avail, hk, rateSvc, revs} {
		r.Register(commands)
	}

	var limiter ratelimit.Limiter = ratelimit.NewMemory(ratelimit.Window{Limit: cfg.RateLimit.Limit, Per: cfg.RateLimit.Window.Std()})
	if cfg.RateLimit.Backend == "kv" {
		limiter = ratelimit.NewShared(ratelimit.Window{Limit: cfg.RateLimit.Limit, Per: cfg.RateLimit.Window.Std()}, be.exec)
	}
	mux := routes(routeDeps{
		auth: authSvc, avail: avail, doors: doors, hk: hk, rates: rateSvc, reviews: revs, bus: commands, metrics: be.metrics,
		pres:    presence.New(be.kv, cfg.PresenceTTL.Std(), cfg.PresenceEvery.Std(), log),
		loyalty: loyalty.New(cfkv.NewLedger(be.main), be.exec, be.kv, be.main.Raw, endpoint(cfg.PartnerAirline)),
		wizard:  booking.NewWizard(be.exec, commands),
	})
	handler := httpx.Throttle(limiter)(mux)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	host, _ := os.Hostname()
	sched := jobs.NewScheduler(log)
	sched.Add(
		jobs.Heartbeat(be.kv, host),
		jobs.ChannelReport(cache, pmsAPI),
		jobs.PerProperty("lock-sync", 10*time.Minute, cfg.Properties, doors.SyncLocks),
		jobs.PerProperty("task-export", 24*time.Hour, cfg.Properties, func(ctx context.Context, p string) error {
			return board.Export(ctx, p, func(name string) { fmt.Println(name) })
		}),
		jobs.PerProperty("active-codes", 15*time.Minute, cfg.Properties, func(ctx context.Context, p string) error {
			rooms, err := vault.ActiveRooms(ctx, p)
			log.InfoContext(ctx, "active door codes", "property", p, "rooms", len(rooms))
			return err
		}),
	)
	sched.Start(ctx)

	srv := &http.Server{Addr: cfg.Addr, Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	context.AfterFunc(ctx, func() {
		shutdown, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	})
	log.Info("listening", "addr", cfg.Addr)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	sched.Wait()
	return nil
}
