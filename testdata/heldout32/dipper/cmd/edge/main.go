//go:build js && wasm

// Command edge is the quiz platform's Cloudflare Worker: the HTTP API that
// hosts and players use, and the scheduled sweep.
package main

import (
	"encoding/json"
	"net/http"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare/cron"

	"github.com/quizfleet/dipper/internal/edge/lobby"
	"github.com/quizfleet/dipper/internal/edge/play"
	"github.com/quizfleet/dipper/internal/edge/quiz"
	"github.com/quizfleet/dipper/internal/edge/session"
	"github.com/quizfleet/dipper/internal/edge/store"
	"github.com/quizfleet/dipper/internal/edge/sweep"
	"github.com/quizfleet/dipper/internal/web"
)

func main() {
	mux := http.NewServeMux()
	session.Register(mux)
	lobby.Register(mux)
	play.Register(mux)
	mux.HandleFunc("GET /quizzes/featured", web.Handle(func(w http.ResponseWriter, r *http.Request) (any, error) {
		return quiz.Featured(r.Context())
	}))
	mux.HandleFunc("GET /directory", web.Handle(func(w http.ResponseWriter, r *http.Request) (any, error) {
		raw, found, err := store.Get(store.Cache(), "directory/open")
		if err != nil || !found {
			raw = `{"lobbies":[]}`
		}
		w.Header().Set("Cache-Control", "public, max-age=30")
		return json.RawMessage(raw), nil
	}))

	cron.ScheduleTaskNonBlock(sweep.Run)
	workers.Serve(mux)
}
