// Command wagtail-cron runs the hub's background jobs and one-off replays.
package main

import (
	"context"
	"flag"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"wagtail/internal/config"
	"wagtail/internal/delivery"
	"wagtail/internal/jobs"
	"wagtail/internal/kvstore"
	"wagtail/internal/stats"
	"wagtail/internal/subscription"
	"wagtail/internal/tenant"
)

var shards = []jobs.ShardConfig{
	{Shard: "us", Concurrency: 64, Regions: []string{"iad", "ord", "sjc"}},
	{Shard: "eu", Concurrency: 32, Regions: []string{"ams", "fra"}},
	{Shard: "ap", Concurrency: 16, Regions: []string{"sin", "nrt"}},
}

func main() {
	replay := flag.String("replay", "", "comma-separated delivery IDs to resend, then exit")
	flag.Parse()

	cfg, err := config.Load()
	if err != nil {
		log.Fatal(err)
	}
	if err := kvstore.Init(cfg.KV.AccountID, cfg.KV.APIToken); err != nil {
		log.Fatal(err)
	}
	ns := cfg.KV.Namespaces
	host, _ := os.Hostname()
	agg := stats.NewAggregator(ns.Cache, host)
	tenants := tenant.NewRepo(ns.Keys)
	subs := subscription.NewRepo(ns.Hooks)
	store := delivery.NewStore(ns.Hooks)
	sender := &delivery.Sender{
		Node:    host,
		Client:  &http.Client{},
		Store:   store,
		Log:     delivery.NewEndpointLog(ns.Hooks),
		Subs:    subs,
		Secrets: tenants.SigningSecret,
		Cfg:     cfg.Delivery,
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	send := func(ctx context.Context, id string) error {
		d, err := store.Get(ctx, id)
		if err != nil {
			return err
		}
		sub, err := subs.Get(ctx, d.TenantID, d.SubscriptionID)
		if err != nil {
			return err
		}
		if err := sender.Send(ctx, sub, d); err != nil {
			return err
		}
		agg.Add(d.TenantID, 1)
		return nil
	}

	if *replay != "" {
		ids := strings.Split(*replay, ",")
		job := jobs.Logged("replay", jobs.Replay(ns.Hooks, tenant.NewID("rpl"), ids, send))
		if err := job(ctx); err != nil {
			os.Exit(1)
		}
		return
	}

	schedule := []struct {
		name  string
		every time.Duration
		job   jobs.Job
	}{
		{"purge-legacy", 6 * time.Hour, jobs.WithLock(ns.Hooks, "purge-legacy", jobs.PurgeLegacyDeliveries(ns.Hooks))},
		{"log-sizes", time.Hour, jobs.WithTimeout(10*time.Minute, jobs.LogSizes(ns.Hooks))},
		{"probes", 5 * time.Minute, jobs.WithTimeout(4*time.Minute, jobs.RefreshProbes(ns.Hooks, ns.Cache))},
		{"shard-config", 10 * time.Minute, jobs.PublishShardConfig(ns.Keys, shards)},
		{"flags", time.Minute, jobs.PublishFlags(ns.Keys, flags)},
		{"prune-tags", 24 * time.Hour, jobs.WithLock(ns.Hooks, "prune-tags", jobs.PruneTagIndex(ns.Hooks, liveTag))},
		{"count-sessions", time.Hour, jobs.CountSessions(ns.Sessions)},
		{"dead-letters", time.Hour, jobs.DeadLetterReport(ns.Hooks)},
		{"rebuild-tags", 24 * time.Hour, jobs.WithLock(ns.Hooks, "rebuild-tags", jobs.RebuildTagIndex(ns.Hooks))},
		{"stats", time.Minute, jobs.WithRetry(3, time.Second, jobs.WithTimeout(20*time.Second, func(ctx context.Context) error {
			return agg.Flush(ctx)
		}))},
		{"snapshot", time.Minute, func(ctx context.Context) error {
			return agg.PublishSnapshot(ctx, 0)
		}},
	}
	var wg sync.WaitGroup
	for _, s := range schedule {
		wg.Add(1)
		go func() {
			defer wg.Done()
			run(ctx, s.every, jobs.Logged(s.name, s.job))
		}()
	}
	wg.Wait()
}

func run(ctx context.Context, every time.Duration, j jobs.Job) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			_ = j(ctx)
		}
	}
}

func flags() map[string]bool {
	return map[string]bool{
		"batch_ingest":     true,
		"signature_v2":     os.Getenv("WAGTAIL_SIGNATURE_V2") == "1",
		"probe_dashboards": true,
	}
}

func liveTag(name string) bool {
	return name != "" && !strings.HasPrefix(name, "tmp-")
}
