// Command api is the game backend's HTTP API.
package main

import (
	"context"
	"encoding/json"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/arcadia-games/bushtit/internal/kvstore"
	"github.com/arcadia-games/bushtit/internal/leaderboard"
	"github.com/arcadia-games/bushtit/internal/lobby"
	"github.com/arcadia-games/bushtit/internal/matchmaking"
	"github.com/arcadia-games/bushtit/internal/players"
	"github.com/arcadia-games/bushtit/internal/upstream"
)

const (
	profileFreshness = 30 * time.Second
	boardLifetime    = 15 * time.Minute
	sessionLifetime  = 12 * time.Hour
)

func main() {
	rest := kvstore.NewREST(os.Getenv("CF_API_TOKEN"), os.Getenv("CF_ACCOUNT_ID"), os.Getenv("KV_NAMESPACE_ID"))
	var metrics kvstore.Counters

	base := []kvstore.Layer{kvstore.WithMetrics(&metrics), kvstore.WithRetry(5 * time.Second)}
	layered := func(extra ...kvstore.Layer) kvstore.Store {
		return kvstore.Compose(rest, append(base[:len(base):len(base)], extra...)...)
	}

	accounts := &upstream.Client{HTTP: &http.Client{Timeout: 3 * time.Second}, Base: os.Getenv("ACCOUNTS_URL")}
	regions := &upstream.Client{HTTP: &http.Client{Timeout: 3 * time.Second}, Base: os.Getenv("REGIONS_URL")}

	sessions := &players.Sessions{KV: layered(kvstore.WithPrefix("auth/")), TTL: sessionLifetime}
	profiles := &players.Profiles{
		KV: layered(
			kvstore.WithReadCache(profileFreshness),
			kvstore.WithPrefix("profiles/"),
			kvstore.WithDefaultTTL(profileFreshness), // EXPECT kvttl
		),
		Accounts: accounts,
	}
	lobbies := &lobby.Service{KV: layered(kvstore.WithPrefix("lobby/"))}
	queue := &matchmaking.Queue{KV: layered(kvstore.WithPrefix("mm/")), DailyLimit: 200}
	boards := &leaderboard.Boards{KV: layered(
		kvstore.WithPrefix("lb/"),
		kvstore.WithTTLFloor(time.Minute),
		kvstore.WithDefaultTTL(boardLifetime),
	)}
	publisher := &matchmaking.Publisher{KV: queue.KV, Regions: regions, Depths: func() map[matchmaking.Pool]int { return nil }}

	ctx := context.Background()
	go publisher.RunDepths(ctx)
	go publisher.RunRegionStatus(ctx)
	go func() {
		for range time.Tick(time.Minute) {
			kvstore.Try("flush views", boards.FlushViews(ctx))
		}
	}()

	r := chi.NewRouter()
	r.Mount("/lobbies", lobbies.Routes())
	r.Route("/auth", func(r chi.Router) {
		r.Post("/logout", func(w http.ResponseWriter, r *http.Request) {
			if err := sessions.Logout(w, r); err != nil {
				http.Error(w, err.Error(), http.StatusUnauthorized)
			}
		})
		r.Get("/magic/{token}", func(w http.ResponseWriter, r *http.Request) {
			if _, err := sessions.RedeemMagicLink(r.Context(), w, chi.URLParam(r, "token")); err != nil {
				http.Error(w, err.Error(), http.StatusUnauthorized)
				return
			}
			http.Redirect(w, r, "/", http.StatusFound)
		})
	})
	r.Get("/players/{id}", func(w http.ResponseWriter, r *http.Request) {
		if _, _, err := sessions.Authenticate(r); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		prof, err := profiles.Get(r.Context(), players.PlayerID(chi.URLParam(r, "id")))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		_ = json.NewEncoder(w).Encode(prof)
	})
	r.Post("/queue/{mode}/{region}", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 25*time.Second)
		defer cancel()
		pool := matchmaking.Pool{Mode: chi.URLParam(r, "mode"), Region: chi.URLParam(r, "region")}
		t, err := queue.Enqueue(ctx, r.Header.Get("X-Player-ID"), pool, 1500)
		if err != nil {
			http.Error(w, err.Error(), http.StatusTooManyRequests)
			return
		}
		_ = json.NewEncoder(w).Encode(t)
	})
	r.Get("/boards/{mode}/{region}/{season}", func(w http.ResponseWriter, r *http.Request) {
		id := leaderboard.BoardID{Mode: chi.URLParam(r, "mode"), Region: chi.URLParam(r, "region"), Season: chi.URLParam(r, "season")}
		boards.Viewed(id)
		w.WriteHeader(http.StatusNoContent)
	})
	r.Post("/ops/happy-hour/{mode}/preview", func(w http.ResponseWriter, r *http.Request) {
		if err := boards.HappyHour(r.Context(), chi.URLParam(r, "mode"), 30*time.Second); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	})
	r.Post("/clients/version", func(w http.ResponseWriter, r *http.Request) {
		build := r.Header.Get("X-Client-Build")
		if build == "" {
			http.Error(w, "missing build", http.StatusBadRequest)
			return
		}
		if err := rest.Put(r.Context(), kvstore.Entry{Key: "clients:newest-build", Value: []byte(build)}); err != nil { // EXPECT kvhotkey
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	})
	r.Get("/debug/kv", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]int64{
			"gets": metrics.Gets.Load(), "puts": metrics.Puts.Load(),
			"deletes": metrics.Deletes.Load(), "lists": metrics.Lists.Load(), "errors": metrics.Errors.Load(),
		})
	})

	log.Fatal(http.ListenAndServe(":8080", r))
}
