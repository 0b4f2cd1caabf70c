// Command motmot-api serves the homeowner app API.
package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/option"

	"github.com/motmot-energy/motmot/internal/api"
	"github.com/motmot-energy/motmot/internal/kvv6"
	"github.com/motmot-energy/motmot/internal/lifecycle"
	"github.com/motmot-energy/motmot/internal/session"
	"github.com/motmot-energy/motmot/internal/statement"
	"github.com/motmot-energy/motmot/internal/telemetry"
	"github.com/motmot-energy/motmot/internal/thermostat"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	client := cloudflare.NewClient(option.WithAPIToken(os.Getenv("CF_API_TOKEN")))
	account := os.Getenv("CF_ACCOUNT_ID")
	sessKV := kvv6.New(client, account, os.Getenv("KV_SESSIONS"))
	homeKV := kvv6.New(client, account, os.Getenv("KV_HOMES"))
	factor, _ := strconv.ParseFloat(os.Getenv("SESSION_FACTOR"), 64)
	cycle, _ := strconv.Atoi(os.Getenv("BILLING_CYCLE_DAY"))

	srv := &api.Server{
		Sessions:   &session.Manager{KV: sessKV, Factor: factor},
		Thermostat: &thermostat.Service{KV: homeKV},
		Telemetry:  &telemetry.Ingest{KV: homeKV},
		Statements: &statement.Store{KV: homeKV, CycleDay: cycle},
	}

	var exit lifecycle.Exit
	exit.OnExit("statement-views", srv.Statements.FlushViews)
	exit.OnExit("telemetry", srv.Telemetry.Flush)

	httpSrv := &http.Server{Addr: ":8080", Handler: srv.Routes(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		ticker := time.NewTicker(time.Minute)
		defer ticker.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-ticker.C:
				if err := srv.Telemetry.Flush(ctx); err != nil {
					slog.Warn("telemetry flush", "err", err)
				}
			}
		}
	}()
	go func() {
		if err := httpSrv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			slog.Error("listen", "err", err)
			stop()
		}
	}()

	<-ctx.Done()
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 20*time.Second)
	defer cancel()
	_ = httpSrv.Shutdown(shutdownCtx)
	if err := exit.Run(ctx, 15*time.Second); err != nil {
		slog.Error("exit flush", "err", err)
		os.Exit(1)
	}
}
