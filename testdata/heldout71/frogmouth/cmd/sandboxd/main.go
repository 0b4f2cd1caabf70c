// Command sandboxd runs tenant functions. The edge forwards invocations that
// it cannot answer from the output cache to POST /invoke/{tenant}/{name}.
package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/frogmouth-dev/frogmouth/internal/deploy"
	"github.com/frogmouth-dev/frogmouth/internal/invoke"
	"github.com/frogmouth-dev/frogmouth/internal/kvplugin"
	"github.com/frogmouth-dev/frogmouth/internal/kvstore"
	"github.com/frogmouth-dev/frogmouth/internal/logtail"
	"github.com/frogmouth-dev/frogmouth/internal/outputs"
	"github.com/frogmouth-dev/frogmouth/internal/quota"
	"github.com/frogmouth-dev/frogmouth/internal/sandbox/jshost"
	"github.com/frogmouth-dev/frogmouth/internal/sandbox/wasmhost"
	"github.com/frogmouth-dev/frogmouth/internal/schedule"
)

func env(name string) string {
	v := os.Getenv(name)
	if v == "" {
		slog.Error("missing environment variable", "name", name)
		os.Exit(2)
	}
	return v
}

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	api := kvstore.NewClient(env("CF_API_TOKEN"))
	account := env("CF_ACCOUNT_ID")
	ns := func(name string) *kvstore.Store { return kvstore.New(api, account, env(name)) }

	records, killPlugin, err := kvplugin.Launch(env("RECORDS_PLUGIN"))
	if err != nil {
		log.Error("records plugin", "err", err)
		os.Exit(1)
	}
	defer killPlugin()

	deployments := deploy.NewService(ns("KV_FUNCTIONS"), ns("KV_ROUTES"))
	wasm, err := wasmhost.New(ctx, ns("KV_DATA"), deployments, 2*time.Second)
	if err != nil {
		log.Error("wasm host", "err", err)
		os.Exit(1)
	}

	runner := &invoke.Runner{
		Deploy:  deployments,
		Meter:   quota.NewMeter(ns("KV_QUOTA"), 8),
		Outputs: outputs.NewCache(ns("KV_OUTPUTS")),
		Wasm:    wasm,
		JS:      jshost.New(ns("KV_DATA"), 2*time.Second),
		Records: records,
		Logs:    logtail.New(ns("KV_LOGS")),
		Log:     log,
	}
	sched := schedule.New(ns("KV_TRIGGERS"), runner, env("REPLICA_ID"), log)
	go sched.Run(ctx, 30*time.Second)
	go flushLoop(ctx, runner, log)

	mux := http.NewServeMux()
	mux.HandleFunc("POST /invoke/{tenant}/{name}", func(w http.ResponseWriter, r *http.Request) {
		input, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		res, err := runner.Invoke(r.Context(), invoke.Request{
			Tenant: r.PathValue("tenant"), Function: r.PathValue("name"), Input: input,
		})
		switch {
		case errors.Is(err, invoke.ErrQuotaExceeded):
			http.Error(w, err.Error(), http.StatusTooManyRequests)
			return
		case errors.Is(err, invoke.ErrNotDeployed):
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		case err != nil:
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		w.Header().Set("X-Invocation-Id", res.ID)
		if res.Cached {
			w.Header().Set("X-Frogmouth-Cache", "hit")
		}
		_, _ = w.Write(res.Body)
	})

	srv := &http.Server{Addr: ":8081", Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdownCtx)
		if err := runner.Meter.Flush(shutdownCtx); err != nil {
			log.Warn("final usage flush", "err", err)
		}
	}()
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error("serve", "err", err)
	}
}

func flushLoop(ctx context.Context, r *invoke.Runner, log *slog.Logger) {
	tk := time.NewTicker(time.Minute)
	defer tk.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tk.C:
			if err := r.Meter.Flush(ctx); err != nil {
				log.Warn("usage flush", "err", err)
			}
			if err := r.Outputs.FlushHits(ctx); err != nil {
				log.Warn("hits flush", "err", err)
			}
		}
	}
}
