// Command teal-sync runs one pass of the mirror sync. It is started by the
// scheduler every ten minutes.
package main

import (
	"context"
	"flag"
	"log/slog"
	"net/url"
	"os"
	"time"

	"github.com/tealpkg/teal/internal/cfv2"
	"github.com/tealpkg/teal/internal/mirror"
)

func main() {
	maxPages := flag.Int("pages", 50, "upstream index pages per run")
	budget := flag.Duration("budget", 8*time.Minute, "time budget for the run")
	prune := flag.Bool("prune", false, "also prune stale freshness hints")
	flag.Parse()

	target, err := cfv2.FromEnv("TEAL_KV_INDEX")
	if err != nil {
		slog.Error("config", "err", err)
		os.Exit(2)
	}
	upstream, err := url.Parse(os.Getenv("TEAL_UPSTREAM"))
	if err != nil {
		slog.Error("config", "err", err)
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *budget)
	defer cancel()

	s := mirror.NewSyncer(target, upstream, *maxPages)
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	select {
	case err = <-done:
	case <-time.After(*budget + 30*time.Second):
		err = context.DeadlineExceeded
	}
	if err != nil {
		slog.Error("sync", "err", err)
		os.Exit(1)
	}
	if *prune {
		keep := map[string]bool{}
		names, err := s.SampleKeys(ctx, "pkg:", 1000)
		if err != nil {
			slog.Error("sample", "err", err)
			os.Exit(1)
		}
		for _, n := range names {
			keep[n[len("pkg:"):]] = true
		}
		n, err := s.PruneHints(ctx, keep)
		if err != nil {
			slog.Error("prune", "err", err)
			os.Exit(1)
		}
		slog.Info("pruned hints", "count", n)
	}
}
