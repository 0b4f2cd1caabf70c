// Command job publishes the product catalogue to Workers KV, where the
// storefront Worker reads it. It runs every few hours from cron:
//
//	CLOUDFLARE_API_TOKEN=... CLOUDFLARE_ACCOUNT_ID=... KV_NAMESPACE_ID=... \
//		job -catalog catalog.json -ttl 6h
package main

import (
	"context"
	"flag"
	"log"
	"os"
	"os/signal"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/option"
)

// config is what every step of the job needs to reach the namespace.
type config struct {
	client      *cloudflare.Client
	accountID   string
	namespaceID string
	ttl         time.Duration // how long published entries live without a refresh
}

func main() {
	catalog := flag.String("catalog", "catalog.json", "catalogue export to publish")
	ttl := flag.Duration("ttl", 6*time.Hour, "lifetime of published entries")
	retired := flag.String("retired", "", "file of slugs to remove, one per line")
	flag.Parse()

	cfg := config{
		client:      cloudflare.NewClient(option.WithAPIToken(mustEnv("CLOUDFLARE_API_TOKEN"))),
		accountID:   mustEnv("CLOUDFLARE_ACCOUNT_ID"),
		namespaceID: mustEnv("KV_NAMESPACE_ID"),
		ttl:         *ttl,
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	release, err := acquireLock(ctx, cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer release()

	start := time.Now()
	n, err := publish(ctx, cfg, *catalog)
	if serr := recordStatus(ctx, cfg, n, time.Since(start), err); serr != nil {
		log.Printf("recording status: %v", serr)
	}
	if err == nil && *retired != "" {
		err = retire(ctx, cfg, *retired)
	}
	if err == nil {
		if herr := appendHistory(ctx, cfg, n); herr != nil {
			log.Printf("recording history: %v", herr)
		}
	}
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("published %d products in %s", n, time.Since(start).Round(time.Millisecond))
}

func mustEnv(name string) string {
	v := os.Getenv(name)
	if v == "" {
		log.Fatalf("%s is not set", name)
	}
	return v
}
