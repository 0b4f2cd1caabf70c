// Command juniper-api serves the booking widget API, the partner feed and
// the venue console API.
package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"example.com/juniper/internal/auth"
	"example.com/juniper/internal/availability"
	"example.com/juniper/internal/background"
	"example.com/juniper/internal/cfapi"
	"example.com/juniper/internal/config"
	"example.com/juniper/internal/events"
	"example.com/juniper/internal/flags"
	"example.com/juniper/internal/guard"
	"example.com/juniper/internal/invites"
	"example.com/juniper/internal/kvstore"
	"example.com/juniper/internal/legacy/menusync"
	"example.com/juniper/internal/pairing"
	"example.com/juniper/internal/projections"
	"example.com/juniper/internal/ratelimit"
	"example.com/juniper/internal/reservations"
	"example.com/juniper/internal/venues"
)

// app holds the wired services the routes use.
type app struct {
	log      *slog.Logger
	sessions *auth.Sessions
	resets   *auth.ResetLinks
	flags    *flags.Service
	pairing  *pairing.Service
	invites  *invites.Service
	limiter  *ratelimit.Limiter
	avail    *availability.Cache
	venues   *venues.Repo
	bookings *reservations.Service
	menus    *menusync.Syncer
}

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	slog.SetDefault(log)
	if err := run(log); err != nil {
		log.Error("juniper-api stopped", "err", err)
		os.Exit(1)
	}
}

func run(log *slog.Logger) error {
	cfg, err := config.Load(os.Getenv)
	if err != nil {
		return err
	}
	client := cfapi.NewClient(cfg.Cloudflare.APIToken)
	ns := func(id string) cfapi.Namespace { return cfapi.Bind(client, cfg.Cloudflare.AccountID, id) }
	sessionsNS, cacheNS, venuesNS := ns(cfg.Cloudflare.Namespaces.Sessions), ns(cfg.Cloudflare.Namespaces.Cache), ns(cfg.Cloudflare.Namespaces.Venues)
	stores := map[cfapi.Namespace]kvstore.Store{}
	for _, n := range []cfapi.Namespace{sessionsNS, cacheNS, venuesNS} {
		s, err := kvstore.Open(cfg.Store.Backend, n)
		if err != nil {
			return err
		}
		stores[n] = guard.NewBreaker(s, cfg.Store.Breaker.Failures, cfg.Store.Breaker.Cooldown, log)
	}
	menus, err := menusync.New(cfg.Cloudflare.APIToken, cfg.Cloudflare.AccountID, cfg.Cloudflare.Namespaces.Legacy, cfg.TTL.Menu)
	if err != nil {
		return err
	}
	core := newCore(os.Getenv("JUNIPER_CORE_URL"), os.Getenv("JUNIPER_CORE_TOKEN"))
	bus, bg := events.New(), background.New(log, 10*time.Second)
	projections.Register(bus, stores[cacheNS])

	a := &app{
		log:      log,
		sessions: auth.NewSessions(stores[sessionsNS], sessionsNS, core, cfg.TTL.Session),
		resets:   auth.NewResetLinks(sessionsNS, core, core, "https://console.juniper.example", cfg.TTL.ResetLink),
		flags:    flags.New(ns(cfg.Cloudflare.Namespaces.Flags), cfg.Experiments),
		pairing:  pairing.Start(stores[sessionsNS]),
		invites:  invites.New(stores[venuesNS], core),
		limiter:  ratelimit.NewLimiter(cacheNS, cfg.RateLimit.Window, cfg.RateLimit.Max),
		avail: availability.New(stores[cacheNS], cacheNS, core,
			availability.Policy{availability.KindSlotsFuture: cfg.TTL.Availability}, 60*24*time.Hour),
		venues: venues.NewRepo(stores[venuesNS], venuesNS),
		menus:  menus,
		bookings: reservations.New(reservations.Deps{Store: stores[cacheNS], Ledger: core,
			Quota: ratelimit.NewQuota(stores[cacheNS], core), Bus: bus, Runner: bg, HoldTTL: cfg.TTL.Hold}),
	}
	defer a.pairing.Stop()

	srv := &http.Server{Addr: cfg.Addr, Handler: a.routes(cfg), ReadHeaderTimeout: 5 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	log.Info("listening", "addr", cfg.Addr, "backend", cfg.Store.Backend)
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return err
	}
	return bg.Wait(shutdown)
}
