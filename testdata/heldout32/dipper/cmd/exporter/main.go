// Command exporter is the analytics backend: it consumes the ANALYTICS queue
// into KV read models and serves the admin API.
package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/quizfleet/dipper/internal/admin"
	"github.com/quizfleet/dipper/internal/analytics"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	slog.SetDefault(slog.New(slog.NewJSONHandler(os.Stdout, nil)))

	consumer := &analytics.Consumer{
		QueueID:    os.Getenv("ANALYTICS_QUEUE_ID"),
		BatchSize:  50,
		Visibility: 2 * time.Minute,
		Idle:       5 * time.Second,
		Log:        slog.With("component", "consumer"),
	}
	go func() {
		if err := consumer.Run(ctx); !errors.Is(err, context.Canceled) {
			slog.Error("consumer stopped", "err", err)
			stop()
		}
	}()

	mux := http.NewServeMux()
	admin.Register(mux)
	srv := &http.Server{Addr: "127.0.0.1:8080", Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	slog.Info("admin API listening", "addr", srv.Addr)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		slog.Error("admin API", "err", err)
		os.Exit(1)
	}
}
