//go:build js && wasm

// Command worker is the shearwater edge worker.
package main

import (
	"context"
	"log"
	"net/http"
	"time"

	"github.com/deskfleet/shearwater/internal/agents"
	"github.com/deskfleet/shearwater/internal/canned"
	"github.com/deskfleet/shearwater/internal/kvstore"
	"github.com/deskfleet/shearwater/internal/sla"
	"github.com/deskfleet/shearwater/internal/tickets"
	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
)

func main() {
	store, err := kvstore.Open("DESK_KV")
	if err != nil {
		log.Fatal(err)
	}
	warn, err := time.ParseDuration(cloudflare.Getenv("SLA_WARN_WINDOW"))
	if err != nil {
		warn = 15 * time.Minute
	}
	origin := &tickets.Origin{Base: cloudflare.Getenv("ORIGIN_URL"), Client: http.DefaultClient}

	tk := tickets.New(store, origin)
	ag := agents.New(store)
	cr := canned.New(store, cloudflare.Getenv("MACRO_URL"))
	timers := sla.New(store, warn)
	board := sla.NewBoard(store)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go board.FlushLoop(ctx)

	cron.ScheduleTaskNonBlock(func(ctx context.Context) error {
		snap, err := timers.Sweep(ctx)
		if err != nil {
			return err
		}
		for _, id := range snap.Breached {
			board.Mark(id, "breached")
			if err := timers.NotifyBreach(ctx, id); err != nil {
				log.Printf("notify %s: %v", id, err)
			}
		}
		for _, id := range snap.AtRisk {
			board.Mark(id, "at_risk")
		}
		return nil
	})

	mux := http.NewServeMux()
	mux.HandleFunc("GET /tickets", tk.ListTickets)
	mux.HandleFunc("POST /tickets", tk.CreateTicket)
	mux.HandleFunc("GET /tickets/{id}", tk.ServeTicket)
	mux.HandleFunc("POST /tickets/{id}/replies", tk.PostReply)
	mux.HandleFunc("PUT /tickets/{id}/alias/{alias}", tk.ClaimAlias)
	mux.HandleFunc("POST /admin/tickets/{id}/{op}", tk.AdminCache)

	mux.HandleFunc("POST /auth/code", ag.IssueCode)
	mux.HandleFunc("POST /auth/verify", ag.VerifyCode)
	mux.HandleFunc("POST /auth/logout", ag.Logout)
	mux.HandleFunc("GET /auth/csrf", ag.IssueCSRF)
	mux.HandleFunc("POST /auth/password", ag.SignOutEverywhere)
	mux.HandleFunc("POST /agents/presence", ag.Presence)
	mux.HandleFunc("POST /admin/sessions/{id}/{op}", ag.AdminSession)
	mux.HandleFunc("POST /admin/tokens/{jti}/revoke", ag.RevokeToken)

	mux.HandleFunc("GET /canned", cr.Index)
	mux.HandleFunc("GET /canned/search", cr.Search)
	mux.HandleFunc("GET /canned/suggest", cr.Suggest)
	mux.HandleFunc("POST /canned/{id}/used", cr.Used)
	mux.HandleFunc("POST /canned/{id}/render", cr.Render)
	mux.HandleFunc("POST /admin/canned/import", cr.Import)

	mux.HandleFunc("POST /sla/{ticket}/start", timers.Start)
	mux.HandleFunc("POST /sla/{ticket}/pause", timers.Pause)
	mux.HandleFunc("POST /sla/{ticket}/resume", timers.Resume)
	mux.HandleFunc("POST /sla/{ticket}/escalate", timers.Escalate)
	mux.HandleFunc("POST /sla/{ticket}/snooze", timers.Snooze)

	workers.Serve(mux)
}
