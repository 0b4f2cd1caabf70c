// Command backend is the origin service: publishing commands, analytics
// roll-ups, download ingest and the operator API.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/option"

	"example.com/avocet/internal/backend/admin"
	"example.com/avocet/internal/backend/bulk"
	"example.com/avocet/internal/backend/cfstore"
	"example.com/avocet/internal/backend/publish"
	"example.com/avocet/internal/backend/rollup"
	"example.com/avocet/internal/bus"
	"example.com/avocet/internal/config"
	"example.com/avocet/internal/ops"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	if err := run(log); err != nil {
		log.Error("backend stopped", "err", err)
		os.Exit(1)
	}
}

func run(log *slog.Logger) error {
	cfg, err := config.LoadBackend()
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	client := cloudflare.NewClient(
		option.WithAPIToken(os.Getenv("CLOUDFLARE_API_TOKEN")),
		option.WithMaxRetries(4),
		option.WithRequestTimeout(20*time.Second),
	)
	store := cfstore.New(client, cfg.AccountID, cfg.NamespaceID)
	counters := ops.NewCounters()
	exec := ops.Chain(store.Exec, ops.Logging(log), ops.Metrics(counters), ops.Retry(3, time.Second))

	wh := rollup.NewWarehouse(cfg.WarehouseURL, cfg.TokenEndpoint, cfg.ClientID, cfg.ClientSecret, store)
	job := rollup.NewJob(store, wh, log, cfg.RollupEvery.Std(), cfg.RollupKeep.Std())
	mover := bulk.New(store, log, bulk.WithBatchSize(25_000)) // EXPECT kvlimits

	b := bus.New()
	publish.New(store, exec, wh, log).Register(b)

	mux := http.NewServeMux()
	mux.Handle("POST /commands/publish", bus.Handle[publish.PublishCommand](b, nil))
	mux.Handle("PATCH /shows/{id}", bus.Handle(b, func(r *http.Request) (publish.UpdateShowCommand, error) {
		cmd := publish.UpdateShowCommand{ShowID: r.PathValue("id")}
		return cmd, json.NewDecoder(r.Body).Decode(&cmd.Patch)
	}))
	mux.HandleFunc("POST /ingest/downloads", job.ServeIngest)
	mux.HandleFunc("POST /admin/import", jsonCall(mover.Import))
	mux.HandleFunc("POST /admin/export", jsonCall(mover.Export))
	mux.HandleFunc("GET /admin/metrics", func(w http.ResponseWriter, r *http.Request) { json.NewEncoder(w).Encode(counters.Snapshot()) })
	admin.New(store, log).Routes(mux)

	go job.Run(ctx)
	go func() {
		// Copy episodes to the v2 layout a few pages per start; readers fall back.
		cursor, err := mover.Rewrite(ctx, "episode:", "episode.v2:", "", 20, func(doc map[string]any) error {
			if _, ok := doc["explicit"]; !ok {
				doc["explicit"] = false
			}
			return nil
		})
		log.Info("episode rewrite", "cursor", cursor, "err", err)
	}()

	srv := &http.Server{Addr: cfg.Listen, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
		defer cancel()
		srv.Shutdown(shutdown)
	}()
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// jsonCall adapts a JSON-in, JSON-out operation to an HTTP handler.
func jsonCall[In, Out any](f func(context.Context, In) (Out, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in In
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		out, err := f(r.Context(), in)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		json.NewEncoder(w).Encode(out)
	}
}
