// Command rollout-receiver receives the release pipeline's rollout events
// and the facilities calendar's maintenance events as CloudEvents over
// HTTP, and answers rollout status queries with reply events.
package main

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"golang.org/x/sync/errgroup"

	"github.com/shoebill-iot/shoebill/internal/kvstore"
	"github.com/shoebill-iot/shoebill/internal/maintenance"
	"github.com/shoebill-iot/shoebill/internal/rollout"
)

func receiver(ctx context.Context, port int, fn any) error {
	c, err := cloudevents.NewClientHTTP(cloudevents.WithPort(port))
	if err != nil {
		return err
	}
	return c.StartReceiver(ctx, fn)
}

func envPort(name string, def int) int {
	if p, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return p
	}
	return def
}

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	kv, err := kvstore.FromEnv("FLEET_KV_NAMESPACE_ID")
	if err != nil {
		log.Error("kv", "err", err)
		os.Exit(1)
	}
	loc, _ := time.LoadLocation(os.Getenv("SITE_TZ"))
	ro := &rollout.Receiver{KV: kv, Log: log.With("component", "rollout")}
	cal := &maintenance.Calendar{KV: kv, Log: log.With("component", "maintenance"), Loc: loc}

	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return receiver(ctx, envPort("ROLLOUT_PORT", 8080), ro.Handle) })
	g.Go(func() error { return receiver(ctx, envPort("STATUS_PORT", 8081), ro.Status) })
	g.Go(func() error { return receiver(ctx, envPort("CALENDAR_PORT", 8082), cal.Receive) })
	if err := g.Wait(); err != nil {
		log.Error("receiver stopped", "err", err)
		os.Exit(1)
	}
}
