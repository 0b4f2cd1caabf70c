//go:build js && wasm

// Command lobby-worker is the edge half of the lobby: rooms, invites, sign-in
// and the matchmaking queue, served from a Cloudflare Worker.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/kv"

	"github.com/arcadia-games/shoveler/internal/config"
	"github.com/arcadia-games/shoveler/internal/edgeops"
	"github.com/arcadia-games/shoveler/internal/kvbase"
	"github.com/arcadia-games/shoveler/internal/lobby"
	"github.com/arcadia-games/shoveler/internal/matchmaking"
	"github.com/arcadia-games/shoveler/internal/sessions"
	"github.com/arcadia-games/shoveler/internal/tenant"
)

func mustNS(binding string) *kv.Namespace {
	ns, err := cloudflare.NewKVNamespace(binding)
	if err != nil {
		panic(fmt.Sprintf("binding %s: %v", binding, err))
	}
	return ns
}

func loadConfig() config.Config {
	edge := config.Merge(config.DefaultConfig(), config.Config{
		TicketTTL:     45 * time.Second, // EXPECT kvttl
		RegionTimeout: 600 * time.Millisecond,
	})
	return config.Merge(edge, config.FromLookup(cloudflare.Getenv))
}

type app struct {
	cfg     config.Config
	rec     *kvbase.Recorder
	edge    *edgeops.Edge
	auth    *sessions.Handlers
	match   *matchmaking.Service
	rooms   *lobby.RoomStore
	invites *lobby.InviteService
}

func newApp() *app {
	cfg := loadConfig()
	rec := kvbase.NewRecorder(250 * time.Millisecond)
	roomsNS, namesNS := mustNS("ROOMS"), mustNS("ROOM_NAMES")
	rooms := lobby.NewRoomStore(roomsNS, namesNS, cfg, rec)
	return &app{
		cfg:     cfg,
		rec:     rec,
		edge:    edgeops.New(mustNS("CONFIG"), mustNS("PLAYERS"), cfg, rec),
		auth:    &sessions.Handlers{Svc: sessions.New(mustNS("AUTH"), cfg, rec)},
		match:   matchmaking.New(mustNS("MATCH"), cfg, rec),
		rooms:   rooms,
		invites: lobby.NewInviteService(mustNS("INVITES"), rooms, cfg, rec),
	}
}

func (a *app) routes() http.Handler {
	mux := http.NewServeMux()
	(&lobby.RoomHandlers{Rooms: a.rooms, Feed: a.rooms.NS}).Register(mux)
	(&lobby.InviteHandlers{Invites: a.invites}).Register(mux)
	a.auth.Register(mux)
	(&matchmaking.Handlers{Svc: a.match}).Register(mux)
	a.edge.Register(mux)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := tenant.FromRequest(r)
		ip := r.Header.Get("CF-Connecting-IP")
		if ok, err := a.edge.Allow(ctx, ip); err != nil {
			slog.Warn("rate limiter", "err", err)
		} else if !ok {
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return
		}
		if !strings.HasPrefix(r.URL.Path, "/auth/") && r.URL.Path != "/healthz" {
			if pctx, err := a.auth.Resolve(r); err == nil {
				ctx = pctx
			}
		}
		if id, ok := strings.CutPrefix(r.URL.Path, "/rooms/"); ok && r.Method == http.MethodGet && !strings.Contains(id, "/") {
			a.edge.CountView(id)
		}
		mux.ServeHTTP(w, r.WithContext(ctx))
	})
}

func (a *app) scheduled(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	slog.Info("cron", "schedule", ev.Cron, "at", ev.ScheduledTime)
	ctx = tenant.With(ctx, tenant.DefaultTenant)
	switch ev.Cron {
	case "*/1 * * * *":
		matched, err := a.match.Sweep(ctx, (*kvbase.Bucket).Put)
		if err != nil {
			return err
		}
		return a.edge.MarkSweep(ctx, matched)
	case "*/10 * * * *":
		_, err := a.match.ExpireStale(ctx)
		return err
	case "0 * * * *":
		return a.edge.FlushViews(ctx)
	}
	return nil
}

func main() {
	a := newApp()
	cron.ScheduleTaskNonBlock(a.scheduled)
	workers.Serve(a.routes())
}
