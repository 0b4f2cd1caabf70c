// Command foundryd is the live-ops API for the game: profiles, lobbies,
// matchmaking, guilds, flags, sessions and telemetry.
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

	"example.com/foundry/internal/auth"
	"example.com/foundry/internal/config"
	"example.com/foundry/internal/events"
	"example.com/foundry/internal/flags"
	"example.com/foundry/internal/fleet"
	"example.com/foundry/internal/guilds"
	"example.com/foundry/internal/invites"
	"example.com/foundry/internal/kvstore"
	"example.com/foundry/internal/lobby"
	"example.com/foundry/internal/matchmaking"
	"example.com/foundry/internal/pairing"
	"example.com/foundry/internal/prefs"
	"example.com/foundry/internal/profiles"
	"example.com/foundry/internal/ratewin"
	"example.com/foundry/internal/telemetry"
)

type app struct {
	log      *slog.Logger
	profiles *profiles.Service
	lobbies  *lobby.Actor
	queue    *matchmaking.Queue
	invites  *invites.Service
	sessions *auth.Manager
	resets   *auth.Resets
	lockout  *auth.Lockout
	pairing  *pairing.Service
	flags    *flags.Store
	exps     *flags.Experiments
	prefs    prefs.Repo
	ingest   *telemetry.Ingester
	reports  *telemetry.Reports
	guilds   *guilds.Service
	fleet    *fleet.Registry
}

func main() {
	if err := run(); err != nil {
		slog.Error("foundryd exited", "err", err)
		os.Exit(1)
	}
}

func run() error {
	cfg, err := config.Load(os.Getenv)
	if err != nil {
		return err
	}
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	log := slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: level}))
	slog.SetDefault(log)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	cf := kvstore.NewClient(cfg.Cloudflare.APIToken, cfg.Cloudflare.BaseURL)
	acct, ns := cfg.Cloudflare.AccountID, cfg.Cloudflare.Namespaces
	store := func(namespace string) kvstore.Store {
		return kvstore.Wrap(kvstore.NewNamespace(cf, acct, namespace, log), cfg.StoreMode, cfg.Breaker.Failures, cfg.Breaker.Cooldown, log)
	}
	profileStore, mmStore, sessionStore, opsStore := store(ns.Profiles), store(ns.Matchmaking), store(ns.Sessions), store(ns.Ops)
	plat := newPlatform(cfg.Upstream)
	bus := events.NewBus(log)

	inviteTTL := map[invites.Kind]time.Duration{
		invites.Guild: cfg.TTL.Invite.Guild, invites.Party: cfg.TTL.Invite.Party, invites.Tournament: cfg.TTL.Invite.Tournament,
	}
	assigner, err := flags.NewAssigner(cfg.FlagStrategy)
	if err != nil {
		return err
	}

	a := &app{log: log}
	a.profiles = profiles.New(profileStore, cfg.TTL.ProfileCard, log)
	a.lobbies = lobby.NewActor(ctx, mmStore, bus, cfg.TTL.LobbyIdle, log)
	a.queue = matchmaking.NewQueue(mmStore, cfg.Matchmaking.Window, cfg.Matchmaking.DailyQuota)
	a.invites = invites.New(store(ns.Guilds), func(k invites.Kind) time.Duration { return inviteTTL[k] })
	a.sessions = auth.NewManager(sessionStore, cfg.TTL.Session, log)
	a.resets = auth.NewResets(sessionStore, plat, a.sessions, cfg.PublicURL)
	a.lockout = auth.NewLockout(sessionStore, 10)
	a.pairing = pairing.New(cf, acct, ns.Sessions)
	a.flags = flags.NewStore(cf, acct, ns.Flags)
	a.exps = flags.NewExperiments(a.flags, assigner)
	a.prefs = prefs.NewRepo(profileStore)
	a.ingest = telemetry.NewIngester(mmStore, bus, 4, log)
	a.reports = telemetry.NewReports(opsStore, plat, 15*time.Minute)
	a.guilds = guilds.New(cf, acct, ns.Guilds)
	a.fleet = fleet.NewRegistry(opsStore, log)
	limiter := ratewin.New(cf, acct, ns.Ops, cfg.RateLimit.Window, cfg.RateLimit.Limit)

	occ := fleet.NewOccupancy(opsStore)
	events.Subscribe(bus, "fleet.occupancy.opened", occ.OnLobbyOpened)
	events.Subscribe(bus, "fleet.occupancy.closed", occ.OnLobbyClosed)
	events.Subscribe(bus, "profiles.last-match", a.profiles.OnMatchFinished)

	srv := &http.Server{Addr: cfg.Addr, Handler: limiter.Middleware(a.routes()), ReadHeaderTimeout: 5 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	log.Info("foundryd listening", "addr", cfg.Addr, "store_mode", cfg.StoreMode)

	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err = srv.Shutdown(shutdownCtx)
	a.profiles.Wait()
	return err
}
