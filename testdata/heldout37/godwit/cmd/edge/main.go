//go:build js && wasm

// Command edge is the shop's Worker: storefront API, scheduled jobs and the
// stock and order queues.
package main

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/fetch"
	"github.com/syumai/workers/cloudflare/queues"

	"godwit/internal/account"
	"godwit/internal/cart"
	"godwit/internal/catalog"
	"godwit/internal/checkout"
	"godwit/internal/edgecron"
	"godwit/internal/kvstore"
	"godwit/internal/orders"
	"godwit/internal/promo"
	"godwit/internal/stock"
	"godwit/internal/web"
)

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: slog.LevelInfo}))
	metrics := new(kvstore.Metrics)

	shop := must(kvstore.Bind("SHOP", 0))
	auth := must(kvstore.Bind("AUTH", 0))
	catalogNS := must(kvstore.Bind("CATALOG", 20*time.Second)) // EXPECT kvttl
	nav := must(kvstore.Bind("NAV", 10*time.Minute))

	client := fetch.NewClient().HTTPClient(fetch.RedirectModeFollow)
	origin := cmp.Or(cloudflare.Getenv("ORIGIN_URL"), "https://origin.godwit.shop")
	payWindow, _ := time.ParseDuration(cloudflare.Getenv("PAY_WINDOW"))
	version, _ := strconv.Atoi(cloudflare.Getenv("CATALOG_VERSION"))

	mux := http.NewServeMux()
	cat := catalog.NewHandler(catalogNS, origin, client, cmp.Or(version, 1), log, metrics)
	cat.Register(mux)
	cart.NewHandler(shop, metrics).Register(mux)
	checkout.NewHandler(shop, log, metrics, payWindow, 5).Register(mux)
	promo.NewHandler(shop, log, metrics).Register(mux)
	account.NewHandler(auth, log, metrics).Register(mux)
	(&orders.StatusPage{NS: shop.Raw(), Store: shop, Log: log}).Register(mux)
	mux.HandleFunc("GET /debug/kv", func(w http.ResponseWriter, r *http.Request) {
		web.JSON(w, http.StatusOK, map[string]int64{
			"reads": metrics.Reads.Load(), "misses": metrics.Misses.Load(), "writes": metrics.Writes.Load(),
			"deletes": metrics.Deletes.Load(), "lists": metrics.Lists.Load(),
		})
	})

	jobs := &edgecron.Jobs{Catalog: cat.Cache(), Shop: shop, Nav: nav, Origin: origin, Client: client, Log: log}
	cron.ScheduleTaskNonBlock(func(ctx context.Context) error {
		ev, err := cron.NewEvent(ctx)
		if err != nil {
			return err
		}
		if err := jobs.Run(ctx, ev.Cron, ev.ScheduledTime); err != nil {
			return err
		}
		if ev.Cron == edgecron.Nightly {
			ids, err := orders.ReceiptsExpiring(shop.Raw(), ev.ScheduledTime.Add(7*24*time.Hour), 10)
			log.InfoContext(ctx, "receipts expiring this week", "count", len(ids), "err", err)
		}
		return nil
	})

	stockConsumer := stock.NewConsumer(shop, log, metrics)
	queues.ConsumeNonBlock(func(b *queues.MessageBatch) error {
		if b.Queue != "stock-events" {
			return fmt.Errorf("edge: no consumer for queue %q", b.Queue)
		}
		return stockConsumer.Handle(b)
	})

	workers.Serve(mux)
}
