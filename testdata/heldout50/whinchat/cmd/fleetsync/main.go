// Command fleetsync copies the ERP inventory into the partner export
// namespace on a fixed interval.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/whinchat/fleet/internal/config"
	"github.com/whinchat/fleet/internal/kvlegacy"
	"github.com/whinchat/fleet/internal/syncjob"
)

func main() {
	var (
		inventory = flag.String("inventory", "/var/lib/fleetsync/inventory.json", "ERP inventory dump")
		interval  = flag.Duration("interval", 6*time.Hour, "time between runs")
		exportTTL = flag.Duration("export-ttl", 0, "lifetime of exported pairs (default: FLEET_EXPORT_TTL)")
		once      = flag.Bool("once", false, "run once and exit")
		peek      = flag.Bool("peek", false, "print the first snapshot keys and exit")
	)
	flag.Parse()
	if err := run(*inventory, *interval, *exportTTL, *once, *peek); err != nil {
		slog.Error("fleetsync stopped", "err", err)
		os.Exit(1)
	}
}

func run(inventory string, interval, exportTTL time.Duration, once, peek bool) error {
	st, err := config.Load()
	if err != nil {
		return err
	}
	if exportTTL == 0 {
		exportTTL = st.ExportTTL
	}
	if interval < time.Minute {
		return fmt.Errorf("-interval %s: must be at least 1m", interval)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	bucket, err := kvlegacy.Dial(st.APIToken, st.AccountID, st.LegacyNamespace)
	if err != nil {
		return err
	}
	host, _ := os.Hostname()
	job := syncjob.New(bucket, st, exportTTL, host)

	if peek {
		keys, err := job.Peek(ctx)
		if err != nil {
			return err
		}
		for _, k := range keys {
			fmt.Println(k)
		}
		return nil
	}

	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		started := time.Now()
		items, err := syncjob.LoadInventory(inventory)
		if err != nil {
			slog.Error("inventory unreadable", "err", err)
		} else if err := job.Run(ctx, items); err != nil {
			slog.Error("sync failed", "err", err)
		} else if err := job.MarkFinished(ctx, started); err != nil {
			slog.Warn("last-run not recorded", "err", err)
		}
		if once {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}
