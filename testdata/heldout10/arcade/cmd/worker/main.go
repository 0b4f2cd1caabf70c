// Command worker is the arcade backend Worker: HTTP API, cron jobs and the
// matchmaking queue consumer.
package main

import (
	"crypto/subtle"
	"fmt"
	"log"
	"net/http"
	"sync"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/kv"
	"github.com/syumai/workers/cloudflare/queues"

	"example.com/arcade/internal/admin"
	"example.com/arcade/internal/auth"
	"example.com/arcade/internal/challenges"
	"example.com/arcade/internal/config"
	"example.com/arcade/internal/content"
	"example.com/arcade/internal/httpapi"
	"example.com/arcade/internal/leaderboard"
	"example.com/arcade/internal/lobby"
	"example.com/arcade/internal/matchmaking"
	"example.com/arcade/internal/obs"
	"example.com/arcade/internal/profile"
	"example.com/arcade/internal/progress"
	"example.com/arcade/internal/quota"
	"example.com/arcade/internal/ratelimit"
	"example.com/arcade/internal/session"
	"example.com/arcade/internal/store/kvstore"
	"example.com/arcade/internal/store/metered"
)

var catalog = []challenges.Template{
	{Mode: "time-trial", Map: "harbor", Goal: 90}, {Mode: "survival", Map: "foundry", Goal: 12},
	{Mode: "score-attack", Map: "orbit", Goal: 25000}, {Mode: "no-hit", Map: "canyon", Goal: 1},
}

// app is everything built from the bindings; bindings are only reachable
// once the runtime hands us the first event, so it is built lazily.
type app struct {
	cfg        config.Config
	handler    http.Handler
	challenges *challenges.Service
	board      *leaderboard.Board
	admin      *admin.Admin
	mm         *matchmaking.Service
	consumer   *matchmaking.Consumer
	content    *content.Publisher
	origin     *origin
}

var (
	appOnce sync.Once
	theApp  *app
	appErr  error
)

func getApp() (*app, error) {
	appOnce.Do(func() { theApp, appErr = build() })
	return theApp, appErr
}

func build() (*app, error) {
	cfg, err := config.Load(cloudflare.Getenv)
	if err != nil {
		return nil, err
	}
	game, err := kvstore.Open("GAME")
	if err != nil {
		return nil, err
	}
	profilesKV, err := kvstore.Open("PROFILES", kvstore.WithEdgeCache(10*time.Second)) // EXPECT kvttl
	if err != nil {
		return nil, err
	}
	sessionsKV, err := kvstore.Open("SESSIONS")
	if err != nil {
		return nil, err
	}

	gameStore := metered.Wrap(game, func(op string, took time.Duration, err error) {
		obs.Log("kv", obs.Fields{"op": op, "ms": took.Milliseconds(), "err": fmt.Sprint(err)})
	})
	org := newOrigin()
	sessions := session.NewManager(sessionsKV, cfg.Session)
	au := auth.New(sessionsKV.Namespace(), cfg.Session, sessions, org.verify, org.mint)

	a := &app{
		cfg:        cfg,
		challenges: challenges.New(game.Namespace(), cfg.Challenges, catalog),
		board:      leaderboard.New(game.Namespace(), org, cfg.Leaderboard),
		admin:      admin.New(game.Namespace(), cfg.Admin),
		mm:         matchmaking.NewService(gameStore, cfg.Matchmaking),
		consumer:   matchmaking.NewConsumer(gameStore),
		content:    content.NewPublisher(gameStore, org.document),
		origin:     org,
	}
	api := httpapi.New(httpapi.Deps{
		Lobbies:     lobby.NewService(gameStore, cfg.Lobby),
		Profiles:    profile.NewService(profilesKV, org),
		Sessions:    sessions,
		Matchmaking: a.mm,
		LobbyQuota:  quota.NewDaily(gameStore, "lobbies", cfg.Lobby.DailyCreation),
		Progress:    progress.NewTracker(gameStore, cfg.Challenges.PurgeAfter),
		KV:          gameStore,
		PlayerID:    auth.PlayerID,
	})

	server := sharedSecret(cloudflare.Getenv("GAME_SERVER_SECRET"))
	staff := sharedSecret(cloudflare.Getenv("ADMIN_SECRET"))
	mux := http.NewServeMux()
	httpapi.Mount(mux, api.Routes(), au.Middleware)
	httpapi.Mount(mux, api.ServerRoutes(), server)
	httpapi.Mount(mux, map[string]http.HandlerFunc{
		"POST /auth/login":                   au.Login,
		"POST /auth/refresh":                 au.Refresh,
		"GET /auth/csrf":                     au.CSRFToken,
		"GET /v1/challenges/today":           a.challenges.Today,
		"GET /v1/challenges/archive":         a.challenges.Archive,
		"GET /v1/challenges/{day}/{slot}":    a.challenges.Definition,
		"GET /v1/leaderboards/{board}":       a.top,
		"GET /v1/leaderboards/{board}/rules": a.board.Rules,
	})
	httpapi.Mount(mux, map[string]http.HandlerFunc{"POST /internal/scores": a.board.Submit}, server)
	httpapi.Mount(mux, map[string]http.HandlerFunc{
		"GET /admin/export/keys":           a.admin.ExportKeys,
		"GET /admin/export/values":         a.admin.ExportValues,
		"POST /admin/players/{player}/ban": a.admin.Ban,
	}, staff)

	limiter := ratelimit.New(game.Namespace(), cfg.RateLimit)
	a.handler = httpapi.Chain(mux, maintenance(game.Namespace()), limiter.Middleware)
	return a, nil
}

func (a *app) top(w http.ResponseWriter, r *http.Request) {
	body, err := a.board.TopJSON(r.Context(), r.PathValue("board"))
	if err != nil {
		log.Printf("leaderboard: %v", err)
		http.Error(w, "leaderboard unavailable", http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}

func sharedSecret(secret string) httpapi.Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			got := r.Header.Get("X-Arcade-Secret")
			if secret == "" || subtle.ConstantTimeCompare([]byte(got), []byte(secret)) != 1 {
				http.Error(w, "forbidden", http.StatusForbidden)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// maintenance serves 503 while ops have the maintenance flag on.
func maintenance(ns *kv.Namespace) httpapi.Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			flag, err := ns.GetString("flags:maintenance", &kv.GetOptions{CacheTTL: 120})
			switch {
			case err != nil:
				// a KV hiccup must not look like a maintenance window
			case flag == "" || flag == "off": // EXPECT kvnull
			default:
				w.Header().Set("Retry-After", "300")
				http.Error(w, "down for maintenance: "+flag, http.StatusServiceUnavailable)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

func main() {
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		a, err := getApp()
		if err != nil {
			log.Printf("startup: %v", err)
			http.Error(w, "starting up failed", http.StatusInternalServerError)
			return
		}
		a.handler.ServeHTTP(w, r)
	})
	cron.ScheduleTaskNonBlock(runCron)
	queues.ConsumeNonBlock(consume)
	workers.Serve(nil)
}
