// Command admin runs the Razorbill back-office jobs: the statistics sweeper,
// the webhook queue drain and one-off catalogue imports.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"log"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"razorbill/internal/admin"
	"razorbill/internal/config"
	"razorbill/internal/keys"
)

func main() {
	importFile := flag.String("import", "", "catalogue JSON to import, then exit")
	flag.Parse()

	cfg := config.LoadAdmin(os.Getenv)
	c := admin.New(cfg)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if *importFile != "" {
		f, err := os.Open(*importFile)
		if err != nil {
			log.Fatal(err)
		}
		var entries []admin.CatalogueEntry
		if err := json.NewDecoder(f).Decode(&entries); err != nil {
			log.Fatal(err)
		}
		_ = f.Close()
		if err := c.ImportCatalogue(ctx, entries); err != nil {
			log.Fatal(err)
		}
		return
	}

	queue := make(chan string, 1024)
	next := func() (string, bool) {
		select {
		case id := <-queue:
			return id, true
		default:
			return "", false
		}
	}

	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		if err := admin.NewSweeper(c).Run(ctx); err != nil && ctx.Err() == nil {
			log.Printf("sweeper: %v", err)
		}
	}()
	go func() {
		defer wg.Done()
		if err := c.DrainQueue(ctx, next); err != nil && ctx.Err() == nil {
			log.Printf("drain: %v", err)
		}
	}()

	lastTrending := time.Now()
	charts := time.NewTicker(time.Hour)
	defer charts.Stop()
	for {
		select {
		case <-charts.C:
			if err := c.RefreshCharts(ctx, 7*24*time.Hour, nil); err != nil {
				log.Printf("charts: %v", err)
			}
			if err := c.RefreshTrending(ctx, lastTrending, nil); err != nil {
				log.Printf("trending: %v", err)
			}
			lastTrending = time.Now()
			if _, err := c.BumpUploadQuota(ctx, cfg.AccountID); err != nil {
				log.Printf("quota: %v", err)
			}
			_ = c.EnsureSettings(ctx, keys.ShowID("razorbill-weekly"))
		case <-ctx.Done():
			wg.Wait()
			return
		}
	}
}
