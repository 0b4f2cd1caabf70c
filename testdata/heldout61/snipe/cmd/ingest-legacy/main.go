// Command ingest-legacy runs the pre-fleetd ingest service. Subcommands:
//
//	ingest-legacy run
//	ingest-legacy preprovision LOT
//	ingest-legacy export PREFIX
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/fleetwire/snipe/internal/config"
	"github.com/fleetwire/snipe/internal/legacy"
)

func main() {
	configPath := flag.String("config", "", "path to fleetd.yaml")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))

	cfg, err := config.Load(*configPath)
	if err != nil {
		log.Error("config", "err", err)
		os.Exit(1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	svc := legacy.New(cfg.Cloudflare.APIToken, cfg.Cloudflare.AccountID, cfg.Cloudflare.LegacyNamespaceID, cfg.Telemetry.Retention, log)
	args := flag.Args()
	if len(args) == 0 {
		args = []string{"run"}
	}
	switch args[0] {
	case "run":
		err = svc.Run(ctx, cfg.Kafka.Brokers)
	case "preprovision":
		if len(args) != 2 {
			err = fmt.Errorf("usage: preprovision LOT")
			break
		}
		err = svc.Preprovision(ctx, args[1])
	case "export":
		if len(args) != 2 {
			err = fmt.Errorf("usage: export PREFIX")
			break
		}
		err = svc.ExportKeys(ctx, args[1], os.Stdout)
	default:
		err = fmt.Errorf("unknown command %q", args[0])
	}
	if err != nil {
		log.Error("ingest-legacy", "err", err)
		os.Exit(1)
	}
}
