// Command fleet-events is the Dapr application that runs the fleet
// platform's event processors: pairing, shadows, command queues, telemetry,
// maintenance queries and the operator console backend.
package main

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	dapr "github.com/dapr/go-sdk/client"
	"github.com/dapr/go-sdk/service/common"
	daprgrpc "github.com/dapr/go-sdk/service/grpc"
	daprd "github.com/dapr/go-sdk/service/http"

	"github.com/shoebill-iot/shoebill/internal/commands"
	"github.com/shoebill-iot/shoebill/internal/fleetadmin"
	"github.com/shoebill-iot/shoebill/internal/kvstore"
	"github.com/shoebill-iot/shoebill/internal/maintenance"
	"github.com/shoebill-iot/shoebill/internal/pairing"
	"github.com/shoebill-iot/shoebill/internal/shadow"
	"github.com/shoebill-iot/shoebill/internal/telemetry"
)

func newService(addr string) (common.Service, error) {
	if os.Getenv("APP_PROTOCOL") == "grpc" {
		return daprgrpc.NewService(addr)
	}
	return daprd.NewService(addr), nil
}

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	if err := run(log); err != nil {
		log.Error("fleet-events stopped", "err", err)
		os.Exit(1)
	}
}

func run(log *slog.Logger) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	kv, err := kvstore.FromEnv("FLEET_KV_NAMESPACE_ID")
	if err != nil {
		return err
	}
	dc, err := dapr.NewClient()
	if err != nil {
		return err
	}
	defer dc.Close()

	s, err := newService(":" + cmp.Or(os.Getenv("APP_PORT"), "6002"))
	if err != nil {
		return err
	}
	loc, err := time.LoadLocation(cmp.Or(os.Getenv("SITE_TZ"), "UTC"))
	if err != nil {
		return err
	}

	agg := &telemetry.Aggregator{KV: kv, Dapr: dc, Log: log.With("component", "telemetry")}
	if err := errors.Join(
		(&pairing.Service{KV: kv, Dapr: dc, Log: log.With("component", "pairing")}).Register(s),
		(&shadow.Handlers{KV: kv, Dapr: dc, Log: log.With("component", "shadow")}).Register(s),
		(&commands.Queue{KV: kv, Dapr: dc, Log: log.With("component", "commands")}).Register(s),
		agg.Register(s),
		(&maintenance.Calendar{KV: kv, Log: log.With("component", "maintenance"), Loc: loc}).Register(s),
		(&fleetadmin.Console{KV: kv, Dapr: dc, Log: log.With("component", "console")}).Register(s),
		(&fleetadmin.Releases{KV: kv, Log: log.With("component", "releases")}).Register(s),
		s.AddHealthCheckHandler("healthz", func(context.Context) error { return nil }),
	); err != nil {
		return err
	}

	errc := make(chan error, 1)
	go func() { errc <- s.Start() }()
	select {
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	case <-ctx.Done():
		flushCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := agg.Flush(flushCtx, &common.BindingEvent{}); err != nil {
			log.Error("final telemetry flush", "err", err)
		}
		return s.GracefulStop()
	}
}
