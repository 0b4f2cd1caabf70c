package main

import (
	"context"
	"log/slog"
	"os"
	"strings"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/queues"
)

// cronLoop runs the scheduled jobs once per configured interval.
func (a *app) cronLoop(ctx context.Context) {
	t := time.NewTicker(a.cfg.CronEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case tick := <-t.C:
			a.runCron(ctx, tick)
		}
	}
}

// runCron is one cron tick.
func (a *app) runCron(ctx context.Context, tick time.Time) {
	if err := a.beats.OfflineSweep(ctx, a.cfg.OfflineAfter); err != nil {
		slog.Error("cron: offline sweep", "err", err)
	}
	if err := a.rollouts.RunWaves(ctx); err != nil {
		slog.Error("cron: rollout waves", "err", err)
	}
	if tick.Minute() == 0 {
		want := map[string]string{}
		for _, fleet := range strings.Split(os.Getenv("FLEETD_FLEETS"), ",") {
			devices, err := a.registry.FleetDevices(ctx, fleet)
			if err != nil {
				slog.Error("cron: fleet devices", "fleet", fleet, "err", err)
				continue
			}
			for _, d := range devices {
				want[d.ID] = d.Firmware
			}
		}
		if err := a.beats.DriftReport(ctx, want); err != nil {
			slog.Error("cron: drift report", "err", err)
		}
	}
	status := map[string]any{"at": tick.Unix(), "host": hostname()}
	if err := a.store.PutJSON(ctx, a.cfg.NS.Devices, "cron:last-run", status, 0); err != nil {
		slog.Warn("cron: status", "err", err)
	}
}

// consumeAlerts pulls the alert queue and acknowledges what was handled.
func (a *app) consumeAlerts(ctx context.Context) {
	pull := queues.MessagePullParams{
		AccountID:         cloudflare.F(a.cfg.AccountID),
		BatchSize:         cloudflare.F(50.0),
		VisibilityTimeout: cloudflare.F(float64((30 * time.Second).Milliseconds())),
	}
	for ctx.Err() == nil {
		msgs, err := a.v3.Client.Queues.Messages.Pull(ctx, a.cfg.QueueID, pull)
		if err != nil {
			slog.Error("alerts: pull", "err", err)
			sleep(ctx, 5*time.Second)
			continue
		}
		if msgs == nil || len(*msgs) == 0 {
			sleep(ctx, 2*time.Second)
			continue
		}
		batch := a.alerts.ConsumeBatch(ctx, *msgs)
		ack := queues.MessageAckParams{AccountID: cloudflare.F(a.cfg.AccountID)}
		acks := make([]queues.MessageAckParamsAck, 0, len(batch.Acks))
		for _, l := range batch.Acks {
			acks = append(acks, queues.MessageAckParamsAck{LeaseID: cloudflare.F(l)})
		}
		retries := make([]queues.MessageAckParamsRetry, 0, len(batch.Retries))
		for _, l := range batch.Retries {
			retries = append(retries, queues.MessageAckParamsRetry{LeaseID: cloudflare.F(l), DelaySeconds: cloudflare.F(30.0)})
		}
		ack.Acks = cloudflare.F(acks)
		ack.Retries = cloudflare.F(retries)
		if _, err := a.v3.Client.Queues.Messages.Ack(ctx, a.cfg.QueueID, ack); err != nil {
			slog.Error("alerts: ack", "err", err)
		}
	}
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

func hostname() string {
	h, _ := os.Hostname()
	return h
}
