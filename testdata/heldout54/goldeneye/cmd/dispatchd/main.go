// Command dispatchd serves the dispatch API.
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

	"github.com/cloudflare/cloudflare-go"

	"goldeneye/internal/cancels"
	"goldeneye/internal/driverindex"
	"goldeneye/internal/httpapi"
	"goldeneye/internal/kvstore"
	"goldeneye/internal/session"
	"goldeneye/internal/trip"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	if err := run(log); err != nil {
		log.Error("dispatchd", "err", err)
		os.Exit(1)
	}
}

func run(log *slog.Logger) error {
	var cfg struct {
		Token     string
		Account   string
		Namespace string
		Addr      string
		MaxAge    time.Duration
	}
	cfg.Token = os.Getenv("CF_API_TOKEN")
	cfg.Account = os.Getenv("CF_ACCOUNT_ID")
	cfg.Namespace = os.Getenv("DISPATCH_KV_NAMESPACE")
	cfg.Addr = cmpOr(os.Getenv("LISTEN_ADDR"), ":8080")
	cfg.MaxAge = 3 * time.Minute
	if v, err := time.ParseDuration(os.Getenv("INDEX_MAX_AGE")); err == nil {
		cfg.MaxAge = v
	}
	if cfg.Token == "" || cfg.Account == "" || cfg.Namespace == "" {
		return errors.New("CF_API_TOKEN, CF_ACCOUNT_ID and DISPATCH_KV_NAMESPACE are required")
	}

	api, err := cloudflare.NewWithAPIToken(cfg.Token)
	if err != nil {
		return err
	}
	st := kvstore.New(api, cfg.Account, cfg.Namespace)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	trips := trip.NewService(st, log)
	go trips.Run(ctx)

	index := driverindex.New(st, log)
	tracker := cancels.NewTracker(api, cfg.Account, cfg.Namespace)
	srv := httpapi.New(st, session.NewDriverManager(st), session.NewRiderManager(st), trips, index, tracker, cancels.NewTally(tracker, log), log)

	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-time.After(15 * time.Minute):
			}
			var rep driverindex.Report
			err := index.Reconcile(ctx, cfg.MaxAge, &rep)
			switch {
			case errors.Is(err, driverindex.ErrBusy):
				log.Info("reconcile skipped: another instance holds the lock")
			case err != nil:
				log.Warn("reconcile", "err", err, "scanned", rep.Scanned)
			default:
				log.Info("reconcile", "scanned", rep.Scanned, "removed", rep.Removed, "took", rep.Took)
			}
		}
	}()

	hs := &http.Server{Addr: cfg.Addr, Handler: srv.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = hs.Shutdown(sctx)
	}()
	log.Info("listening", "addr", cfg.Addr)
	if err := hs.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func cmpOr(v, def string) string {
	if v != "" {
		return v
	}
	return def
}
