// Command phalarope-api serves the Tollgate backend API.
package main

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"github.com/tollgate-dev/phalarope/internal/apikeys"
	"github.com/tollgate-dev/phalarope/internal/clock"
	"github.com/tollgate-dev/phalarope/internal/devicelogin"
	"github.com/tollgate-dev/phalarope/internal/httpapi"
	"github.com/tollgate-dev/phalarope/internal/kv"
	"github.com/tollgate-dev/phalarope/internal/metering"
	"github.com/tollgate-dev/phalarope/internal/retry"
	"github.com/tollgate-dev/phalarope/internal/sessions"
)

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	api, err := cloudflare.NewWithAPIToken(os.Getenv("CF_API_TOKEN"))
	if err != nil {
		log.Error("cloudflare client", "err", err)
		os.Exit(1)
	}
	kvc := kv.NewClient(api, os.Getenv("CF_ACCOUNT_ID"))
	authNS := kv.Namespace(os.Getenv("KV_AUTH_NAMESPACE"))
	meterNS := kv.Namespace(os.Getenv("KV_METERING_NAMESPACE"))
	clk := clock.System{}

	window, err := time.ParseDuration(env("RATE_WINDOW", "1m"))
	if err != nil {
		log.Error("RATE_WINDOW", "err", err)
		os.Exit(1)
	}

	keys := &apikeys.Service{KV: kvc, NS: authNS, Clock: clk, Log: log,
		Breaker: &retry.Breaker{Threshold: 5, Cooldown: 30 * time.Second}}
	sess := &sessions.Manager{KV: kvc, NS: authNS, Clock: clk, Log: log}
	device := &devicelogin.Service{KV: kvc, NS: authNS, Clock: clk, BaseURL: env("PUBLIC_URL", "https://tollgate.dev"),
		Issuer: func(ctx context.Context, userID, clientID string) (string, error) {
			return keys.IssuePAT(ctx, userID, []string{"cli"}, 90*24*time.Hour)
		}}
	meter := &metering.Recorder{
		Actor:      kv.StartActor(ctx, kvc, meterNS, 256, 2*time.Second),
		KV:         kvc,
		NS:         meterNS,
		Clock:      clk,
		Billing:    &http.Client{Timeout: 5 * time.Second},
		BillURL:    env("BILLING_URL", "http://billing.internal"),
		Breaker:    &retry.Breaker{Threshold: 3, Cooldown: time.Minute},
		Log:        log,
		RateWindow: window,
	}

	go func() {
		t := time.NewTicker(10 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := meter.Flush(ctx); err != nil {
					log.Warn("flush usage", "err", err)
				}
			}
		}
	}()

	srv := &http.Server{
		Addr: env("ADDR", ":8080"),
		Handler: (&httpapi.Server{Keys: keys, Device: device, Sessions: sess, Meter: meter,
			KV: kvc, NS: meterNS, Clock: clk, Log: log}).Routes(),
		ReadHeaderTimeout: 5 * time.Second,
	}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	log.Info("listening", "addr", srv.Addr)
	if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		log.Error("serve", "err", err)
		os.Exit(1)
	}
}
