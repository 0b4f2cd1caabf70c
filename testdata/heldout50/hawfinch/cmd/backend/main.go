// Command backend runs TutorLoop's scheduled jobs and outbox consumer
// against Workers KV through the Cloudflare API.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/option"

	"hawfinch/internal/config"
	"hawfinch/internal/jobs"
	"hawfinch/internal/restkv"
)

func main() {
	job := flag.String("job", "", "reminders | payouts | reindex | audit | promo | consume | status")
	pricingAge := flag.Duration("pricing-max-age", 5*time.Minute, "refresh the commission table after this long")
	pollEvery := flag.Duration("poll", 10*time.Second, "outbox poll interval (job=consume)")
	flag.Parse()

	cfg, err := config.Load(os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	token, account, nsID := os.Getenv("CF_API_TOKEN"), os.Getenv("CF_ACCOUNT_ID"), os.Getenv("KV_NAMESPACE_ID")
	if token == "" || account == "" || nsID == "" {
		log.Fatal("CF_API_TOKEN, CF_ACCOUNT_ID and KV_NAMESPACE_ID are required")
	}
	client := cloudflare.NewClient(option.WithAPIToken(token), option.WithMaxRetries(3))
	root := restkv.Root(&restkv.Namespace{API: client.KV.Namespaces, AccountID: account, ID: nsID})
	api := &jobs.API{Base: cfg.APIBase, HC: &http.Client{Timeout: 30 * time.Second}}
	pricing := &jobs.Pricing{KV: root, MaxAge: *pricingAge}
	reindex := &jobs.Reindex{KV: root, API: api}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	switch *job {
	case "reminders":
		err = (&jobs.Reminders{KV: root, API: api, Cfg: cfg}).Run(ctx)
	case "payouts":
		err = (&jobs.Payouts{KV: root, API: api, Pricing: pricing}).Run(ctx)
	case "reindex":
		err = reindex.Run(ctx)
	case "audit":
		err = reindex.Audit(ctx)
	case "promo":
		var codes []string
		if codes, err = api.PromoCodes(ctx, "spring"); err == nil {
			err = jobs.SeedPromoCodes(ctx, root, codes)
		}
	case "consume":
		err = consume(ctx, root, api, *pollEvery)
	case "status":
		var names []string
		if names, _, err = reindex.Leases(ctx, ""); err == nil {
			fmt.Println("leases held:", names)
		}
	default:
		flag.Usage()
		os.Exit(2)
	}
	if err != nil {
		log.Fatalf("%s: %v", *job, err)
	}
}

func consume(ctx context.Context, root restkv.Scope, api *jobs.API, every time.Duration) error {
	quota, err := api.RemainingQuota(ctx)
	if err != nil {
		return err
	}
	c := jobs.NewConsumer(root, api, quota)
	t := time.NewTicker(every)
	defer t.Stop()
	for cursor := ""; ; {
		next, err := c.Poll(ctx, cursor)
		if err != nil {
			log.Printf("consume: %v", err)
		}
		cursor = next
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
