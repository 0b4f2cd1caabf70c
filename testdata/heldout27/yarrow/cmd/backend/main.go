// Command backend runs the marketplace's batch tasks against the KV
// namespaces shared with the Worker: catalog sync, gift code seeding and
// the nightly reconciliation.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"time"

	"example.com/yarrow/internal/backend/catalog"
	"example.com/yarrow/internal/backend/ops"
	"example.com/yarrow/internal/config"
)

func main() {
	export := flag.String("export", "menus.json", "path of the menu export")
	campaign := flag.String("campaign", "", "gift code campaign for seed-gifts")
	flag.Parse()

	cfg, err := config.LoadBackend()
	if err != nil {
		log.Fatal(err)
	}
	client, cleanup, err := ProvideClient(cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer cleanup()

	clock := systemClock{}
	cat := catalog.ProvideService(client, cfg, ProvideCatalogStore(client, cfg), fileSource{path: *export}, clock)
	opsSvc := ops.ProvideService(client, cfg, ProvideOpsStore(client, cfg), clock)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	if err := run(ctx, flag.Arg(0), cat, opsSvc, *campaign); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, task string, cat *catalog.Service, o *ops.Service, campaign string) error {
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	switch task {
	case "sync":
		rep, err := cat.Sync(ctx)
		if err != nil {
			return err
		}
		return enc.Encode(rep)
	case "seed-gifts":
		if campaign == "" {
			return fmt.Errorf("seed-gifts needs -campaign")
		}
		codes, err := cat.SeedGiftCodes(ctx, campaign, 180*24*time.Hour)
		if err != nil {
			return err
		}
		return enc.Encode(map[string]int{"codes": len(codes)})
	case "reconcile":
		orphans, err := o.Reconcile(ctx, func(string) bool { return true })
		if err != nil {
			return err
		}
		return enc.Encode(orphans)
	default:
		return fmt.Errorf("unknown task %q (want sync, seed-gifts or reconcile)", task)
	}
}
