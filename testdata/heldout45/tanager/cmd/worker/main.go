//go:build js && wasm

// Command worker is the tanager edge Worker: the fetch handler, the cron
// triggers and the queue consumers of wrangler.toml in one program.
package main

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"sync"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"

	"tanager/internal/config"
	"tanager/internal/downloads"
	"tanager/internal/episodes"
	"tanager/internal/feeds"
	"tanager/internal/httpx"
	"tanager/internal/jobs"
	"tanager/internal/listeners"
	"tanager/internal/media"
	"tanager/internal/ops"
	"tanager/internal/queue"
	"tanager/internal/shows"
)

// loadConfig reads the vars; env is only reachable inside an invocation,
// never at start-up.
func loadConfig() (config.Config, error) {
	return config.Load(cloudflare.Getenv)
}

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		httpx.JSON(w, http.StatusOK, map[string]any{"ok": true})
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		cfg, err := loadConfig()
		if err != nil {
			httpx.Fail(w, "config", err)
			return
		}
		routes(cfg).ServeHTTP(w, r)
	})

	cron.ScheduleTaskNonBlock(func(ctx context.Context) error {
		cfg, err := loadConfig()
		if err != nil {
			return err
		}
		return jobs.Runner{Cfg: cfg}.Run(ctx)
	})

	queue.Consume(func(ctx context.Context, b *queue.Batch) error {
		if b.Queue != "tanager-downloads" {
			return fmt.Errorf("no consumer for queue %q", b.Queue)
		}
		return downloads.ConsumeBatch(ctx, b)
	})

	workers.Serve(mux)
}

var (
	routesOnce sync.Once
	appMux     *http.ServeMux
)

// routes builds the application mux once per isolate.
func routes(cfg config.Config) *http.ServeMux {
	routesOnce.Do(func() {
		appMux = http.NewServeMux()
		episodes.Handlers{Cfg: cfg}.Register(appMux)
		feeds.Handlers{Cfg: cfg}.Register(appMux)
		downloads.Handlers{Cfg: cfg}.Register(appMux)
		listeners.Handlers{Cfg: cfg}.Register(appMux)
		shows.Handlers{Cfg: cfg}.Register(appMux)
		media.Handlers{Cfg: cfg}.Register(appMux)
		ops.Handlers{Cfg: cfg}.Register(appMux)
		log.Printf("tanager: routes ready, origin %s", cfg.OriginURL)
	})
	return appMux
}
