// Command smew-backend is the back office: it receives sensor events,
// settles fines and appeals, and runs the background jobs that keep the
// edge's KV data current.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"

	"example.com/smew/internal/fines"
	"example.com/smew/internal/jobs"
	"example.com/smew/internal/kvstore"
	"example.com/smew/internal/kvstore/cfrest"
	"example.com/smew/internal/occupancy"
	"example.com/smew/internal/routing"
)

func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

func envList(name, def string) []string {
	return strings.Split(env(name, def), ",")
}

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	accountID := env("CLOUDFLARE_ACCOUNT_ID", "")
	reg := kvstore.NewRegistry()
	reg.Register("kv", cfrest.Opener(cloudflare.NewClient(), accountID))
	reg.Register("mem", kvstore.MemOpener())

	routes, err := routing.NewTable(map[string]string{
		"N": env("SMEW_NS_NORTH", "north"),
		"S": env("SMEW_NS_SOUTH", "south"),
		"C": env("SMEW_NS_CENTRAL", "central"),
	}, env("SMEW_NS_SHARED", "shared"), envList("SMEW_NS_SHARDS", "shard0,shard1,shard2,shard3"))
	if err != nil {
		log.Error("routing", "err", err)
		os.Exit(1)
	}
	scheme := env("SMEW_STORE_SCHEME", "kv")
	stores := routing.NewStores(routes, reg, scheme)

	zonesDSN := env("SMEW_ZONES_DSN", scheme+"://zones")
	zonesStore := reg.MustOpen(ctx, zonesDSN)

	finesSvc := fines.New(cloudflare.NewClient(), fines.Config{
		AccountID:     accountID,
		AppealsNS:     env("SMEW_NS_APPEALS", "appeals"),
		ArchiveNS:     env("SMEW_NS_ARCHIVE", "archive"),
		ConfirmWindow: kvstore.DurationOr(os.Getenv("SMEW_CONFIRM_WINDOW"), kvstore.MustDuration("20s")),
	}, routes, log)

	tracker := occupancy.NewTracker(stores, 256)
	flusher := jobs.NewHitFlusher(zonesStore, kvstore.DurationOr(os.Getenv("SMEW_FLUSH_EVERY"), jobs.FlushEvery), log)
	publisher := jobs.NewLivePublisher(zonesStore, tracker, envList("SMEW_ZONES", "N1,N2,S1,S2,C1"), jobs.PublishEvery, log)
	sweeper := jobs.NewSweeper(stores, jobs.SweepEvery, log)

	var wg sync.WaitGroup
	wg.Go(func() { tracker.Run(ctx) })
	wg.Go(func() { flusher.Run(ctx) })
	wg.Go(func() { publisher.Run(ctx) })
	wg.Go(func() { sweeper.Run(ctx) })

	mux := http.NewServeMux()
	mux.HandleFunc("POST /fines/{district}/{id}/pay", func(w http.ResponseWriter, r *http.Request) {
		f, err := finesSvc.Pay(r.Context(), r.PathValue("district"), r.PathValue("id"), r.URL.Query().Get("ref"))
		switch {
		case errors.Is(err, fines.ErrNotFound):
			http.Error(w, err.Error(), http.StatusNotFound)
		case err != nil:
			http.Error(w, err.Error(), http.StatusBadGateway)
		default:
			json.NewEncoder(w).Encode(f)
		}
	})
	mux.HandleFunc("POST /sensors/{zone}/events", func(w http.ResponseWriter, r *http.Request) {
		var ev struct {
			Delta int `json:"delta"`
		}
		if err := json.NewDecoder(r.Body).Decode(&ev); err != nil || (ev.Delta != 1 && ev.Delta != -1) {
			http.Error(w, "delta must be 1 or -1", http.StatusBadRequest)
			return
		}
		zone := r.PathValue("zone")
		n, err := tracker.Adjust(r.Context(), zone, ev.Delta)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		flusher.Record(zone, 1)
		json.NewEncoder(w).Encode(map[string]int{"occupied": n})
	})
	srv := &http.Server{Addr: env("SMEW_ADDR", ":8080"), Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	wg.Go(func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		srv.Shutdown(shutdown)
	})
	log.Info("listening", "addr", srv.Addr, "scheme", scheme)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error("serve", "err", err)
		stop()
	}
	wg.Wait()
}
