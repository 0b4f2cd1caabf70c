//go:build !js

// Command pricesync pushes the ERP's price export into Workers KV. The ERP
// host's scheduler runs it every fifteen minutes, and with -full weekly.
package main

import (
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"log/slog"
	"os"
	"os/signal"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/option"

	"godwit/internal/config"
	"godwit/internal/kvstore"
	"godwit/internal/pricesync"
)

func main() {
	file := flag.String("prices", "prices.json", "ERP price export (JSON array)")
	nsID := flag.String("namespace", os.Getenv("CATALOG_NAMESPACE_ID"), "CATALOG namespace id")
	full := flag.Bool("full", false, "rewrite every price without expiry")
	staleAge := flag.Duration("stale-after", 4*config.PriceTTL, "purge prices not synced for this long")
	flag.Parse()
	accountID := cmp.Or(os.Getenv("CF_ACCOUNT_ID"), os.Getenv("CLOUDFLARE_ACCOUNT_ID"))
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	b, err := os.ReadFile(*file)
	var prices []pricesync.Price
	if err == nil {
		err = json.Unmarshal(b, &prices)
	}
	if err != nil {
		log.Error("read export", "err", err)
		os.Exit(1)
	}

	client := cloudflare.NewClient(option.WithMaxRetries(4), option.WithRequestTimeout(30*time.Second))
	rest := &kvstore.REST{Client: client, AccountID: accountID, Namespace: *nsID}
	s := &pricesync.Syncer{
		Client:    client,
		AccountID: accountID,
		NSID:      *nsID,
		State:     kvstore.Stack(rest, kvstore.WithPrefix("pricesync:"), kvstore.WithLogging(log)),
		Log:       log,
	}
	if *full {
		err = s.FullResync(ctx, prices)
	} else {
		err = s.Run(ctx, prices)
	}
	if err != nil {
		log.Error("sync failed", "err", err)
		os.Exit(1)
	}
	for _, p := range prices {
		if p.SaleEnds.After(time.Now()) {
			if err := s.SaleOverride(ctx, p); err != nil {
				log.Warn("sale price not written", "sku", p.SKU, "err", err)
			}
		}
	}
	stale, err := s.Stale(ctx, time.Now().Add(-*staleAge))
	if err == nil {
		err = s.Purge(ctx, stale)
	}
	log.Info("stale prices purged", "count", len(stale), "err", err)

	erp := make(map[string]int64, len(prices))
	for _, p := range prices {
		erp[p.SKU] = p.Cents
	}
	drift, err := s.Audit(ctx, erp)
	for _, sku := range drift {
		if err := s.Tag(ctx, sku, "drift"); err != nil {
			log.Warn("not tagged", "sku", sku, "err", err)
		}
	}
	log.Info("audit done", "drift", len(drift), "err", err)
}
