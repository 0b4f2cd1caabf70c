//go:build js && wasm

// Command edge is the Worker in front of the game's lobby service. It serves
// sign-in, lobbies and invites from KV and runs the lobby sweep on its cron
// trigger.
package main

import (
	"context"
	"log/slog"
	"net/http"
	"os"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare/cron"

	"github.com/lanternforge/waxwing/internal/edgekv"
	"github.com/lanternforge/waxwing/internal/invite"
	"github.com/lanternforge/waxwing/internal/lobby"
	"github.com/lanternforge/waxwing/internal/session"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: slog.LevelInfo}))

	sessions := func(fn func(*edgekv.Logged, http.ResponseWriter, *http.Request)) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			kv, err := session.Open(log)
			if err != nil {
				log.Error("session binding", "err", err)
				http.Error(w, "misconfigured", http.StatusInternalServerError)
				return
			}
			fn(kv, w, r)
		}
	}
	lobbies := &lobby.Handler{Log: log}
	invites := &invite.Handler{Log: log}

	mux := http.NewServeMux()
	mux.HandleFunc("POST /auth/code", sessions(session.HandleStartLogin))
	mux.HandleFunc("POST /auth/verify", sessions(session.HandleVerifyLogin))
	mux.HandleFunc("POST /auth/refresh", sessions(session.HandleRefresh))
	mux.HandleFunc("POST /auth/logout", sessions(session.HandleLogout))

	mux.HandleFunc("GET /lobbies", lobbies.List)
	mux.HandleFunc("GET /lobbies/browse", lobbies.Browse)
	mux.HandleFunc("POST /lobbies", lobbies.Create)
	mux.HandleFunc("GET /lobbies/{id}", lobbies.View)
	mux.HandleFunc("POST /lobbies/{id}/join", lobbies.Join)
	mux.HandleFunc("POST /lobbies/{id}/heartbeat", lobbies.Heartbeat)
	mux.HandleFunc("POST /lobbies/{id}/schedule", lobbies.Schedule)

	mux.HandleFunc("POST /invites", invites.Send)
	mux.HandleFunc("GET /invites/sent", invites.Outbox)
	mux.HandleFunc("POST /invites/{token}/accept", invites.Accept)

	cron.ScheduleTaskNonBlock(func(ctx context.Context) error {
		return lobby.Sweep(ctx, log)
	})
	workers.Serve(mux)
}
