// Command crawler crawls one site from the command line, outside the MCP
// server, for scheduled refreshes of workspaces' pinned sites.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/option"

	"github.com/birdline/gallinule/internal/crawl"
	"github.com/birdline/gallinule/internal/kvstore"
)

func main() {
	site := flag.String("site", "", "site to crawl, e.g. docs.example.com")
	depth := flag.Int("depth", 3, "maximum link depth")
	pageTTL := flag.Duration("page-ttl", 24*time.Hour, "lifetime of cached pages")
	sitemap := flag.String("sitemap", "", "file with one URL per line to queue before crawling")
	reset := flag.Bool("reset-frontier", false, "empty every frontier shard before crawling")
	flag.Parse()
	if *site == "" {
		flag.Usage()
		os.Exit(2)
	}

	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	client := cloudflare.NewClient(option.WithAPIToken(os.Getenv("CF_API_TOKEN")))
	account := os.Getenv("CF_ACCOUNT_ID")
	pages := kvstore.Open(client, account, os.Getenv("KV_PAGES"), "pages")
	state := kvstore.Open(client, account, os.Getenv("KV_STATE"), "state")

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	if *reset {
		if err := crawl.ResetShards(ctx, state, *site); err != nil {
			log.Error("reset frontier", "err", err)
			os.Exit(1)
		}
	}
	seeds := []string{"https://" + *site + "/"}
	front := new(crawl.Frontier)
	if *sitemap != "" {
		raw, err := os.ReadFile(*sitemap)
		if err != nil {
			log.Error("sitemap", "err", err)
			os.Exit(1)
		}
		urls := strings.Fields(string(raw))
		if err := crawl.SeedSitemap(ctx, state, *site, urls); err != nil {
			log.Error("seed", "err", err)
			os.Exit(1)
		}
		for _, u := range urls {
			if !front.Seen(u) {
				front.Add(u)
				seeds = append(seeds, u)
			}
		}
	}

	c := &crawl.Crawler{Pages: pages, Meta: state, PageTTL: *pageTTL, Log: log, Parallelism: 8}
	rep, err := c.Crawl(ctx, *site, seeds, *depth)
	if err != nil {
		log.Error("crawl", "err", err)
		os.Exit(1)
	}
	if err := crawl.SaveFrontier(ctx, state, *site, front); err != nil {
		log.Warn("frontier not saved", "err", err)
	}
	_ = json.NewEncoder(os.Stdout).Encode(rep)
}
