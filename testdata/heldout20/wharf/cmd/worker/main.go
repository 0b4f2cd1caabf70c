//go:build js && wasm

package main

import (
	"database/sql"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
	_ "github.com/syumai/workers/cloudflare/d1"
	"github.com/syumai/workers/cloudflare/queues"

	"example.com/wharf/internal/abtest"
	"example.com/wharf/internal/admission"
	"example.com/wharf/internal/config"
	"example.com/wharf/internal/edge/lobbykv"
	"example.com/wharf/internal/httpapi"
	"example.com/wharf/internal/ledger"
	"example.com/wharf/internal/nonce"
	"example.com/wharf/internal/polls"
	"example.com/wharf/internal/presence"
	"example.com/wharf/internal/referral"
	"example.com/wharf/internal/storage"
	"example.com/wharf/internal/storage/kvstore"
	"example.com/wharf/internal/waitroom"
)

// app is everything built from the configuration on the first event the
// isolate handles (the runtime context is not available before then).
type app struct {
	cfg      config.Config
	store    storage.Store
	db       *sql.DB
	counter  ledger.RoomCounter
	catalog  waitroom.Catalog
	presence *presence.Tracker
	server   *httpapi.Server
}

var build = sync.OnceValues(func() (*app, error) {
	cfg := config.Load(cloudflare.Getenv)
	db, err := sql.Open("d1", cfg.D1Binding)
	if err != nil {
		return nil, fmt.Errorf("open d1: %w", err)
	}
	store := kvstore.New(cfg.KVBinding)
	counter := ledger.RoomCounter{Stub: func(drop string) (ledger.Fetcher, error) {
		ns, err := cloudflare.NewDurableObjectNamespace(cfg.RoomCounterBinding)
		if err != nil {
			return nil, err
		}
		stub, err := ns.Get(ns.IdFromName(drop))
		if err != nil {
			return nil, err
		}
		return stub.Fetch, nil
	}}
	now := time.Now
	catalog := waitroom.Catalog{Store: store, Source: ledger.Drops{DB: db}, TTL: cfg.DropCacheTTL}
	tally := ledger.PollTally{DB: db}
	pollRepo := polls.KVPolls{Store: store}
	tracker := &presence.Tracker{Store: store, Clock: now, Interval: cfg.PresenceInterval, PageBudget: cfg.RosterPageBudget}

	srv := &httpapi.Server{
		Store: store,
		Join: waitroom.JoinQueue{
			Store:             store,
			Drops:             catalog,
			Positions:         counter,
			MaxJoinsPerMinute: cfg.MaxJoinsPerMinute,
			Clock:             now,
		},
		Position:   waitroom.PositionQuery{Store: store, Drops: catalog},
		Admission:  &admission.Service{Store: store, Clock: now, TTL: cfg.AdmissionTTL},
		Presence:   tracker,
		Vote:       polls.CastVote{Polls: pollRepo, Votes: polls.KVVotes{Store: store}, Tallies: tally, Clock: now},
		Results:    polls.ResultsQuery{Polls: pollRepo, Tallies: tally},
		Referrals:  &referral.Service{Store: store, Clock: now, Keep: 30 * 24 * time.Hour},
		Nonces:     nonce.Guard{Store: store, Clock: now},
		AB:         &abtest.Assigner{Store: store, Clock: now, StickyFor: cfg.StickyAssignment},
		Clock:      now,
		AdminToken: cloudflare.Getenv("WHARF_ADMIN_TOKEN"),
	}
	return &app{
		cfg: cfg, store: store, db: db, counter: counter,
		catalog: catalog, presence: tracker, server: srv,
	}, nil
})

var handler = sync.OnceValues(func() (http.Handler, error) {
	a, err := build()
	if err != nil {
		return nil, err
	}
	lobby, err := lobbykv.Open(a.cfg.KVBinding)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("GET /waiting-room/{variant}", lobby.RecordArrival(http.HandlerFunc(lobby.ServePage)))
	mux.Handle("/", a.server.Routes())
	return mux, nil
})

func main() {
	queues.ConsumeNonBlock(consume)
	cron.ScheduleTaskNonBlock(scheduled)
	workers.Serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, err := handler()
		if err != nil {
			http.Error(w, "worker misconfigured", http.StatusInternalServerError)
			return
		}
		h.ServeHTTP(w, r)
	}))
}
