// Command gamecron runs the maintenance jobs once and exits. The platform
// scheduler invokes it every few minutes.
package main

import (
	"context"
	"flag"
	"log"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/option"

	"example.com/dunlin/internal/config"
	"example.com/dunlin/internal/jobs"
	"example.com/dunlin/internal/keys"
	"example.com/dunlin/internal/kv6"
)

func main() {
	only := flag.String("jobs", "", "comma-separated job names to run (default: all)")
	flag.Parse()
	logger := log.New(os.Stderr, "gamecron ", log.LstdFlags|log.Lmsgprefix)

	cfg, err := config.Load()
	if err != nil {
		logger.Fatal(err)
	}
	client := cloudflare.NewClient(option.WithAPIToken(cfg.APIToken), option.WithMaxRetries(3))
	ks := keys.NewSpace(cfg.KeyPrefix)
	router := kv6.New(client, cfg.AccountID, cfg.HotNamespace, cfg.ColdNamespace, ks.SeasonArchive(""), ks.JobState(""))

	runner := jobs.NewRunner(logger, time.Duration(cfg.CronTickSeconds)*time.Second/2,
		jobs.Snapshot{R: router, Keys: ks, Season: cfg.Season, MaxPages: 50},
		jobs.LobbySweep{C: client, Account: cfg.AccountID, Namespace: cfg.MainNamespace, Keys: ks, Regions: cfg.Regions},
		jobs.RewardReset{R: router, Keys: ks, Regions: cfg.Regions},
		jobs.SeasonRollover{C: client, Account: cfg.AccountID, Namespace: cfg.MainNamespace, Keys: ks},
		jobs.Assets{R: router, Keys: ks},
	)

	selected := map[string]bool{}
	for _, name := range strings.Split(*only, ",") {
		if name != "" {
			selected[name] = true
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := runner.Run(ctx, selected); err != nil {
		logger.Fatal(err)
	}
}
