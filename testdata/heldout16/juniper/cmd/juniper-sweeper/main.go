// Command juniper-sweeper runs the nightly KV maintenance jobs:
//
//	juniper-sweeper templates   delete slot templates for past days
//	juniper-sweeper census      count keys per top-level prefix
//	juniper-sweeper export      stream guest last visits to the CRM drop
package main

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"example.com/juniper/internal/cfapi"
	"example.com/juniper/internal/config"
	"example.com/juniper/internal/export"
	"example.com/juniper/internal/kvstore"
)

const censusMaxPages = 50

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	cfg, err := config.Load(os.Getenv)
	if err != nil || len(os.Args) < 2 {
		log.Error("usage: juniper-sweeper templates|census|export", "err", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	client := cfapi.NewClient(cfg.Cloudflare.APIToken)
	legacyNS := cfapi.Bind(client, cfg.Cloudflare.AccountID, cfg.Cloudflare.Namespaces.Legacy)
	cacheNS := cfapi.Bind(client, cfg.Cloudflare.AccountID, cfg.Cloudflare.Namespaces.Cache)

	switch os.Args[1] {
	case "templates":
		n, err := sweepTemplates(ctx, legacyNS, time.Now().UTC().Truncate(24*time.Hour).Format("20060102T1504"))
		log.Info("templates swept", "deleted", n, "err", err)
	case "census":
		counts, complete, err := census(ctx, cacheNS, censusMaxPages)
		for _, p := range slices.Sorted(maps.Keys(counts)) {
			fmt.Printf("%-24s %d\n", p, counts[p])
		}
		log.Info("census", "complete", complete, "err", err)
	case "export":
		f, err := os.Create("crm-export-" + time.Now().UTC().Format("20060102") + ".jsonl")
		if err != nil {
			log.Error("export", "err", err)
			os.Exit(1)
		}
		defer f.Close()
		rows, err := export.NewJob(cacheNS, kvstore.NewCloudflare(cacheNS), f, 4).Run(ctx)
		log.Info("export finished", "rows", rows, "err", err)
	default:
		log.Error("unknown job", "job", os.Args[1])
		os.Exit(2)
	}
}

// sweepTemplates deletes slot templates older than cutoff.
func sweepTemplates(ctx context.Context, ns cfapi.Namespace, cutoff string) (int, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(ns.AccountID),
		Prefix:    cloudflare.F("slot-template/"),
	}
	deleted := 0
	for {
		page, err := ns.Client.KV.Namespaces.Keys.List(ctx, ns.ID, params) // EXPECT kvlist
		if err != nil {
			return deleted, err
		}
		var old []string
		for _, k := range page.Result {
			if k.Name[strings.LastIndexByte(k.Name, '/')+1:] < cutoff {
				old = append(old, k.Name)
			}
		}
		if len(old) > 0 {
			if _, err := ns.Client.KV.Namespaces.BulkDelete(ctx, ns.ID, kv.NamespaceBulkDeleteParams{
				AccountID: cloudflare.F(ns.AccountID), Body: old,
			}); err != nil {
				return deleted, err
			}
			deleted += len(old)
		}
		if page.ResultInfo.Cursor == "" {
			break
		}
		params.Cursor = cloudflare.F(page.ResultInfo.Cursor)
	}
	return deleted, nil
}

// census counts keys per first path segment, reading at most maxPages pages.
func census(ctx context.Context, ns cfapi.Namespace, maxPages int) (map[string]int, bool, error) {
	counts := map[string]int{}
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(ns.AccountID),
		Limit:     cloudflare.F(2500.0), // EXPECT kvlimits
	}
	for range maxPages {
		page, err := ns.Client.KV.Namespaces.Keys.List(ctx, ns.ID, params)
		if err != nil {
			return counts, false, err
		}
		for _, k := range page.Result {
			top, _, _ := strings.Cut(k.Name, "/")
			counts[top]++
		}
		if page.ResultInfo.Cursor == "" {
			return counts, true, nil
		}
		params.Cursor = cloudflare.F(page.ResultInfo.Cursor)
	}
	return counts, false, nil
}
