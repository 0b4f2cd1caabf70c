// Command gameapi serves the game backend HTTP API.
package main

import (
	"context"
	"errors"
	"flag"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"example.com/dunlin/internal/anticheat"
	"example.com/dunlin/internal/config"
	"example.com/dunlin/internal/friends"
	"example.com/dunlin/internal/game"
	"example.com/dunlin/internal/httpapi"
	"example.com/dunlin/internal/keys"
	"example.com/dunlin/internal/kvstore"
	"example.com/dunlin/internal/kvstore/cfkv"
	"example.com/dunlin/internal/kvstore/memkv"
	"example.com/dunlin/internal/leaderboard"
	"example.com/dunlin/internal/lobby"
	"example.com/dunlin/internal/lock"
	"example.com/dunlin/internal/middleware"
	"example.com/dunlin/internal/moderation"
	"example.com/dunlin/internal/profile"
	"example.com/dunlin/internal/rewards"
	"example.com/dunlin/internal/season"
	"example.com/dunlin/internal/session"
)

func main() {
	var (
		memory  = flag.Bool("memory", false, "keep lobbies, sessions and nonces in process (local runs)")
		backend = flag.String("backend", "http://127.0.0.1:9000", "base URL of the internal services")
	)
	flag.Parse()
	logger := log.New(os.Stderr, "gameapi ", log.LstdFlags|log.Lmsgprefix)
	if err := run(logger, *memory, *backend); err != nil {
		logger.Fatal(err)
	}
}

type stores struct {
	main, sessions, nonces, ops kvstore.Store
}

func openStores(api *cloudflare.API, cfg config.Config, memory bool) stores {
	if memory {
		mem := memkv.New()
		return stores{main: mem, sessions: memkv.New(), nonces: memkv.New(), ops: mem}
	}
	return stores{
		main:     cfkv.New(api, cfg.AccountID, cfg.MainNamespace),
		sessions: cfkv.New(api, cfg.AccountID, cfg.SessionNamespace),
		nonces:   cfkv.New(api, cfg.AccountID, cfg.NonceNamespace, kvstore.WithTTL(30*time.Second)), // EXPECT kvttl
		ops:      cfkv.New(api, cfg.AccountID, cfg.ColdNamespace),
	}
}

func staffTokens() map[string]game.Role {
	out := map[string]game.Role{}
	for _, t := range []struct {
		env  string
		role game.Role
	}{
		{"STAFF_SUPPORT_TOKENS", game.RoleSupport},
		{"STAFF_MODERATOR_TOKENS", game.RoleModerator},
		{"STAFF_ADMIN_TOKENS", game.RoleAdmin},
	} {
		for _, tok := range strings.Split(os.Getenv(t.env), ",") {
			if tok != "" {
				out[tok] = t.role
			}
		}
	}
	return out
}

func run(logger *log.Logger, memory bool, backend string) error {
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	api, err := cloudflare.NewWithAPIToken(cfg.APIToken, cloudflare.UsingRateLimit(8))
	if err != nil {
		return err
	}
	ks := keys.NewSpace(cfg.KeyPrefix)
	st := openStores(api, cfg, memory)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if !memory {
		if err := season.Bootstrap(ctx, api, cfg.AccountID, cfg.MainNamespace, ks); err != nil {
			return err
		}
	}

	internal := &internalClient{base: backend, token: os.Getenv("INTERNAL_TOKEN"), http: &http.Client{Timeout: 3 * time.Second}}

	locks := lock.New(st.main, ks, lock.WithTTL(time.Duration(cfg.LockSeconds)*time.Second))

	lobbies := lobby.NewService(ks, lobby.WithHoldTTL(time.Duration(cfg.HoldSeconds)*time.Second))
	lobbies.SetStore(st.main)

	sessions := session.NewManager(ks,
		session.WithSessionTTL(time.Duration(cfg.SessionHours)*time.Hour),
		session.WithRefreshTTL(time.Duration(cfg.RefreshDays)*24*time.Hour),
	)
	sessions.SetStore(st.sessions)

	board := leaderboard.New(internal, ks)
	board.SetStore(st.main)

	seasons := season.New(ks, 5*time.Minute)
	seasons.SetStore(st.main)
	if err := seasons.Start(ctx); err != nil {
		return err
	}
	defer seasons.Stop()

	console := moderation.New(st.main, api, cfg.AccountID, ks, moderation.Settings{
		PageSize:       1500, // EXPECT kvlimits
		NotesNamespace: cfg.ColdNamespace,
		ExportBudget:   45 * time.Second,
		MaxPages:       40,
	})

	srv := httpapi.New(httpapi.Services{
		Auth:        internal,
		Queue:       internal,
		Sessions:    sessions,
		Lobbies:     lobbies,
		Board:       board,
		Rewards:     rewards.New(st.main, ks, locks, 4),
		Friends:     friends.New(st.main, ks, friends.WithInviteTTL(time.Duration(cfg.InviteSeconds)*time.Second)),
		Guard:       anticheat.New(st.nonces, st.main, ks, 14*24*time.Hour),
		Season:      seasons,
		Profiles:    profile.New(api, cfg.AccountID, cfg.MainNamespace, ks),
		Console:     console,
		Ops:         st.ops,
		Keys:        ks,
		StaffTokens: staffTokens(),
	}, logger)
	srv.Use(middleware.NewHeartbeat(api, cfg.AccountID, cfg.ColdNamespace))
	srv.Use(middleware.NewRateLimiter(st.main, ks, srv))

	hs := &http.Server{Addr: cfg.Listen, Handler: srv, ReadHeaderTimeout: 5 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- hs.ListenAndServe() }()
	logger.Printf("listening on %s", cfg.Listen)

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
