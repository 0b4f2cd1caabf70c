//go:build js && wasm

// Command linnet-edge is the Cloudflare Worker that serves the learner app's
// API at the edge, plus its cron triggers.
package main

import (
	"log/slog"
	"net/http"
	"os"
	"time"

	"example.com/linnet/internal/audio"
	"example.com/linnet/internal/classroom"
	"example.com/linnet/internal/config"
	"example.com/linnet/internal/edge/handlers"
	"example.com/linnet/internal/edge/scheduled"
	"example.com/linnet/internal/edge/workerkv"
	"example.com/linnet/internal/flags"
	"example.com/linnet/internal/leaderboard"
	"example.com/linnet/internal/progress"
	"example.com/linnet/internal/session"
	"example.com/linnet/internal/storage/memstore"
	"example.com/linnet/internal/storage/prefixstore"
	"example.com/linnet/internal/storage/tracing"
	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare/cron"
)

var defaultFlags = flags.Document{Rules: map[string]flags.Rule{
	flags.NewRosterPath: {Enabled: true, Percent: 10},
}}

func main() {
	cfg := config.MustLoad()
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))

	kvs := workerkv.New(cfg.KVBinding, time.Minute)
	durable := tracing.Wrap(kvs, "kv", log, nil)
	store := prefixstore.New(durable,
		prefixstore.Route("sess:", durable),
		prefixstore.Route("tmp:", memstore.New(nil)),
	)
	client := &http.Client{Timeout: 8 * time.Second}
	fl := flags.NewSource(store, time.Minute, defaultFlags)
	remote := services{client: client}
	svc := handlers.Services{
		Sessions: session.New(store, cfg.Sessions, remote, remote),
		Progress: progress.New(store, remote, cfg.Progress),
		Board:    leaderboard.New(store, fl, cfg.Leaderboard),
		Audio:    audio.New(store, cfg.Audio, client),
		Classes:  classroom.New(store, cfg.Classroom, client),
		Catalog:  remote,
		Flags:    fl,
		OAuth:    remote,
	}

	workers.ServeNonBlock(handlers.Handler(cfg, kvs, store, svc, log))
	cron.ScheduleTaskNonBlock(scheduled.Task(scheduled.Deps{KV: kvs, Store: store, Notifier: remote, Log: log}))
	workers.Ready()
	<-workers.Done()
}
