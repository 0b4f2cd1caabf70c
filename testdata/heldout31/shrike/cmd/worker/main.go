//go:build js && wasm

// Command worker is the rider-facing Cloudflare Worker of the bike-share
// network: sign-in, passes, unlock codes, live station status and the
// scheduled maintenance of edge data.
package main

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"strings"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"

	"example.com/shrike/internal/config"
)

func logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// loadConfig reads the EDGE_CONFIG variable over the defaults.
func loadConfig() config.Edge {
	raw := cloudflare.Getenv("EDGE_CONFIG")
	if raw == "" || raw == "undefined" {
		return config.DefaultEdge()
	}
	cfg, err := config.Load(strings.NewReader(raw), config.DefaultEdge())
	if err != nil {
		logger().Error("bad EDGE_CONFIG, using defaults", "err", err)
		return config.DefaultEdge()
	}
	return cfg
}

func main() {
	cron.ScheduleTaskNonBlock(func(ctx context.Context) error {
		ev, err := cron.NewEvent(ctx)
		if err != nil {
			return err
		}
		a, err := build(loadConfig(), logger())
		if err != nil {
			return err
		}
		return a.runner.Run(ctx, ev.Cron, ev.ScheduledTime)
	})
	workers.Serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, err := build(loadConfig(), logger())
		if err != nil {
			http.Error(w, "service unavailable", http.StatusServiceUnavailable)
			return
		}
		a.handler.ServeHTTP(w, r)
	}))
}
