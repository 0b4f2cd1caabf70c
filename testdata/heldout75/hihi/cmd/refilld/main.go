// Command refilld serves the refill and pickup API for the store terminals
// and the patient app.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"hihi/internal/enums"
	"hihi/internal/formulary"
	"hihi/internal/httpapi"
	"hihi/internal/kvstore"
	"hihi/internal/pickup"
	"hihi/internal/refill"
	"hihi/internal/session"
	"hihi/internal/stock"

	"hihi/internal/db"
)

type logSender struct{ log *slog.Logger }

func (s logSender) Send(ctx context.Context, ch enums.Channel, address, text string) error {
	s.log.InfoContext(ctx, "notice", "channel", ch, "to", address, "len", len(text))
	return nil
}

type pbmStub struct{}

func (pbmStub) Coverage(_ context.Context, planID, ndc string) (formulary.Coverage, error) {
	return formulary.Coverage{PlanID: planID, NDC: ndc, Tier: "2"}, nil
}

func (pbmStub) Tiers(context.Context, string) ([]byte, error) { return []byte("[]"), nil }

func envDuration(name string, def time.Duration) time.Duration {
	if v, err := time.ParseDuration(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	if err := run(log); err != nil {
		log.Error("refilld stopped", "err", err)
		os.Exit(1)
	}
}

func run(log *slog.Logger) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	token, account := os.Getenv("CF_API_TOKEN"), os.Getenv("CF_ACCOUNT_ID")
	ns := kvstore.Open(token, account, os.Getenv("KV_NAMESPACE_ID"))
	cacheNS := os.Getenv("KV_CACHE_NAMESPACE_ID")

	loc, err := time.LoadLocation(envOr("STORE_TZ", "America/Chicago"))
	if err != nil {
		return err
	}
	dailyLimit, _ := strconv.ParseInt(os.Getenv("NOTIFY_DAILY_LIMIT"), 10, 64)
	alerts := stock.NewAlerts(ns, logSender{log}, stock.Config{
		DedupeWindow: envDuration("NOTIFY_DEDUPE_WINDOW", 6*time.Hour),
		DailyLimit:   dailyLimit,
	}, log, loc)
	alerts.SetDigestSource(func(storeID string) ([]byte, error) {
		return []byte(fmt.Sprintf(`{"store":%q}`, storeID)), nil
	})

	api := &httpapi.API{
		NS:        ns,
		Refills:   refill.NewService(ns),
		Pickups:   pickup.NewService(ns, log),
		Sessions:  session.NewStore(db.New(ns)),
		Alerts:    alerts,
		Formulary: formulary.New(ns.Client(), account, cacheNS, pbmStub{}),
		Log:       log,
	}
	mux := http.NewServeMux()
	api.Routes(mux)
	srv := &http.Server{Addr: envOr("ADDR", ":8080"), Handler: mux, ReadHeaderTimeout: 5 * time.Second}

	go sweepLoop(ctx, alerts, log)

	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// sweepLoop runs the bounded subscription sweep every quarter hour.
func sweepLoop(ctx context.Context, alerts *stock.Alerts, log *slog.Logger) {
	t := time.NewTicker(15 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			n, err := alerts.SweepEmptyLists(ctx)
			log.InfoContext(ctx, "alert sweep", "removed", n, "err", err)
		}
	}
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
