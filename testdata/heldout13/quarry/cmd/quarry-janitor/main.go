// Command quarry-janitor runs the nightly maintenance jobs.
//
//	quarry-janitor                      # jobs from QUARRY_JANITOR_JOBS
//	quarry-janitor -job compact-logs    # one job
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"example.com/quarry/internal/cfclient"
	"example.com/quarry/internal/config"
	"example.com/quarry/internal/janitor"
	"example.com/quarry/internal/kvstore"
	"example.com/quarry/internal/kvstore/cfkv"
)

func main() {
	job := flag.String("job", "", "comma-separated job names (default: configured list)")
	timeout := flag.Duration("timeout", 0, "overall deadline (0: none)")
	flag.Parse()

	log := slog.New(slog.NewTextHandler(os.Stderr, nil)).With("component", "janitor")
	cfg, err := config.Load()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	names := cfg.JanitorJobs
	if *job != "" {
		names = strings.Split(*job, ",")
	}

	client := cfclient.New(cfg)
	artifactsNS := cfclient.For(client, cfg, cfg.Namespaces.Artifacts)
	projects := cfkv.New(artifactsNS, log)
	j := &janitor.Janitor{
		Builds:             cfclient.For(client, cfg, cfg.Namespaces.Builds),
		Artifacts:          artifactsNS,
		Auth:               cfclient.For(client, cfg, cfg.Namespaces.Auth),
		Cache:              cfclient.For(client, cfg, cfg.Namespaces.Cache),
		Log:                log,
		DisabledEcosystems: []string{"bower", "dep"},
		PerCall:            30 * time.Second,
		LiveProjects: func(ctx context.Context) (map[string]bool, error) {
			live := map[string]bool{}
			err := kvstore.Scan(projects).Prefix("project:").Each(ctx, func(k kvstore.Key) error {
				live[strings.TrimPrefix(k.Name, "project:")] = true
				return nil
			})
			return live, err
		},
	}

	ctx := context.Background()
	if *timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *timeout)
		defer cancel()
	}
	if err := j.Run(ctx, names); err != nil {
		log.Error("janitor finished with errors", "err", err)
		os.Exit(1)
	}
}
