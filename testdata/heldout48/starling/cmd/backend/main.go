// Command backend runs Starling's ingest, analytics and subscription
// services.
package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"time"

	"starling/internal/analytics"
	"starling/internal/ingest"
	"starling/internal/keys"
	"starling/internal/kvrest"
	"starling/internal/subscriptions"
)

func env[T any](name string, parse func(string) (T, error), def T) T {
	if v, err := parse(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	token, account := os.Getenv("CF_API_TOKEN"), os.Getenv("CF_ACCOUNT_ID")
	namespace := func(id string) *kvrest.Instrumented {
		return kvrest.Instrument(kvrest.New(token, account, os.Getenv(id)), log)
	}
	stats := namespace("KV_STATS")
	agg := analytics.NewAggregator(stats, log, env("PLAY_SHARDS", strconv.Atoi, 16), env("FLUSH_EVERY", time.ParseDuration, 30*time.Second))
	pipe := ingest.New(namespace("KV_FEEDS"), ingest.Config{
		TranscoderURL:   os.Getenv("TRANSCODER_URL"),
		HeartbeatWindow: env("HEARTBEAT_WINDOW", time.ParseDuration, 15*time.Second),
		PollEvery:       env("POLL_EVERY", time.ParseDuration, 750*time.Millisecond),
		Parallel:        env("INGEST_PARALLEL", strconv.Atoi, 4),
	}, log)
	svc := subscriptions.New(namespace("KV_SUBSCRIPTIONS"), log, []byte(os.Getenv("WEBHOOK_SECRET")))

	mux := http.NewServeMux()
	mux.HandleFunc("POST /webhooks/billing", svc.HandleWebhook)
	mux.HandleFunc("POST /ingest/batch", func(w http.ResponseWriter, r *http.Request) {
		var uploads []ingest.Upload
		err := json.NewDecoder(r.Body).Decode(&uploads)
		if err == nil {
			err = pipe.ProcessBatch(r.Context(), uploads)
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /events/play", func(w http.ResponseWriter, r *http.Request) {
		var ev struct {
			Show, Episode string
			At            time.Time
		}
		if err := json.NewDecoder(r.Body).Decode(&ev); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		agg.RecordPlay(keys.Episode{Show: ev.Show, ID: ev.Episode}, ev.At)
		w.WriteHeader(http.StatusAccepted)
	})

	srv := &http.Server{Addr: ":" + os.Getenv("PORT"), Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_ = agg.Flush(shutdown)
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.ListenAndServe(); err != http.ErrServerClosed {
		log.Error("server", "err", err)
		os.Exit(1)
	}
}
