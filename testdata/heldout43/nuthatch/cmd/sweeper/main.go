//go:build !js

// Command sweeper runs the nightly housekeeping for every city: archiving
// paid citations, purging handheld scans and publishing the check tallies.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"
	"github.com/cloudflare/cloudflare-go/v5/option"
	"golang.org/x/sync/errgroup"

	"github.com/cityparking/nuthatch/internal/clock"
	"github.com/cityparking/nuthatch/internal/domain"
	"github.com/cityparking/nuthatch/internal/enforcement"
	"github.com/cityparking/nuthatch/internal/kvstore"
	"github.com/cityparking/nuthatch/internal/permits"
)

type result struct {
	city     string
	archived int
	err      error
}

type config struct {
	interval time.Duration
	parallel int
	officers []string
}

func loadConfig() config {
	return config{
		interval: clock.Duration(os.Getenv, "SWEEP_INTERVAL", 6*time.Hour),
		parallel: clock.Int(os.Getenv, "SWEEP_PARALLEL", 2),
		officers: strings.Fields(os.Getenv("SWEEP_OFFICERS")),
	}
}

// acquire takes the run lock so two sweeper replicas do not overlap.
func acquire(ctx context.Context, shared *kvstore.Store, cfg config, host string) (bool, error) {
	const lockKey = "sweeper/lock"
	holder, err := shared.Get(ctx, lockKey)
	if err == nil {
		slog.InfoContext(ctx, "sweep already running", "holder", string(holder))
		return false, nil
	}
	if !errors.Is(err, domain.ErrNotFound) {
		return false, err
	}
	ttl := max(cfg.interval/4, 15*time.Second)               // EXPECT kvttl
	return true, shared.Put(ctx, lockKey, []byte(host), ttl) // EXPECT kvrace
}

func sweep(ctx context.Context, cfg config, tenants *kvstore.Registry, sw *enforcement.Sweeper) []result {
	out := make(chan result, len(tenants.All()))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(cfg.parallel)
	for _, t := range tenants.All() {
		g.Go(func() error {
			n, err := sw.ArchivePaidCitations(gctx, t)
			if err == nil {
				for _, officer := range cfg.officers {
					if _, err = sw.PurgeScans(gctx, t, officer); err != nil {
						break
					}
				}
			}
			if err == nil {
				err = sw.Scanner.FlushTally(gctx, t.City)
			}
			out <- result{city: t.City, archived: n, err: err}
			return nil
		})
	}
	_ = g.Wait()
	close(out)
	var results []result
	for r := range out {
		results = append(results, r)
	}
	return results
}

// publishRun records the outcome of a run for the operations dashboard.
func publishRun(ctx context.Context, client *cloudflare.Client, account, namespace string, results []result) error {
	var b strings.Builder
	for _, r := range results {
		status := "ok"
		if r.err != nil {
			status = r.err.Error()
		}
		fmt.Fprintf(&b, "%s\t%d\t%s\n", r.city, r.archived, status)
	}
	_, err := client.KV.Namespaces.Values.Update(ctx, namespace, "sweeper/last-run", kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(account),
		Value:         cloudflare.F(b.String()),
		ExpirationTTL: cloudflare.F(float64(7 * 24 * 3600)),
	})
	return err
}

// announceNext publishes the "maintenance in progress" banner, which
// disappears on its own shortly after the sweep starts.
func announceNext(ctx context.Context, client *cloudflare.Client, account, namespace string) error {
	_, err := client.KV.Namespaces.Values.Update(ctx, namespace, "sweeper/banner", kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(account),
		Value:      cloudflare.F("Nightly maintenance in progress"),
		Expiration: cloudflare.F(float64(time.Now().Add(90 * time.Second).UnixMilli())), // EXPECT kvttl
	})
	return err
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg := loadConfig()

	client := cloudflare.NewClient(option.WithAPIToken(os.Getenv("CF_API_TOKEN")))
	account := os.Getenv("CF_ACCOUNT_ID")
	sharedNS := os.Getenv("KV_SHARED_NAMESPACE")
	namespaces, err := kvstore.ParseNamespaces(os.Getenv("KV_NAMESPACES"))
	if err != nil {
		slog.Error("config", "err", err)
		os.Exit(1)
	}
	tenants := kvstore.NewRegistry(client, account, namespaces)
	shared := kvstore.New(client, account, sharedNS)
	clk := clock.Real{}
	sw := &enforcement.Sweeper{
		Scanner:  &enforcement.Scanner{Tenants: tenants, Permits: &permits.Finder{Tenants: tenants, Clock: clk}, Clock: clk},
		MaxPages: clock.Int(os.Getenv, "SWEEP_MAX_PAGES", 20),
	}
	host, _ := os.Hostname()

	ticker := time.NewTicker(cfg.interval)
	defer ticker.Stop()
	for {
		ok, err := acquire(ctx, shared, cfg, host)
		if err != nil {
			slog.Error("lock", "err", err)
		}
		if ok {
			if err := announceNext(ctx, client, account, sharedNS); err != nil {
				slog.Warn("banner", "err", err)
			}
			results := sweep(ctx, cfg, tenants, sw)
			if err := publishRun(ctx, client, account, sharedNS, results); err != nil {
				slog.Error("publish", "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}
