// Command atlasd serves the atlas API and runs its background loops.
package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"example.com/atlas/internal/analytics"
	"example.com/atlas/internal/app"
	"example.com/atlas/internal/config"
	"example.com/atlas/internal/httpapi"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	if err := run(log); err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, http.ErrServerClosed) {
		log.Error("atlasd stopped", "err", err)
		os.Exit(1)
	}
}

func run(log *slog.Logger) error {
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	deps, err := app.Build(cfg, nil, log)
	if err != nil {
		return err
	}
	srv, err := httpapi.NewServer(deps, cfg, log)
	if err != nil {
		return err
	}
	srv.Authenticate = func(ctx context.Context, email, password string) (string, []string, error) {
		return "", nil, httpapi.ErrBadCredentials
	}

	collector := app.Must[*analytics.Collector](deps, "analytics")

	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); _ = collector.Run(ctx) }()
	go func() { defer wg.Done(); collector.Heartbeat(ctx) }()
	defer wg.Wait()

	hs := &http.Server{
		Addr:         cfg.HTTP.Addr,
		Handler:      srv.Handler(),
		ReadTimeout:  cfg.HTTP.ReadTimeout,
		WriteTimeout: cfg.HTTP.WriteTimeout,
	}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = hs.Shutdown(shutdown)
	}()
	log.Info("atlasd listening", "addr", cfg.HTTP.Addr)
	return hs.ListenAndServe()
}
