// Command osprey-worker runs the background jobs.
package main

import (
	"context"
	"log"
	"os"
	"os/signal"
	"syscall"
	"time"

	"example.com/osprey/internal/config"
	"example.com/osprey/internal/jobs"
	"example.com/osprey/internal/storage/cfv6"
)

func main() {
	cfg := config.FromEnv()
	config.Swap(cfg)
	client := cfv6.NewClient(cfg.Cloudflare.APIToken, 30*time.Second)
	host, _ := os.Hostname()
	runner := jobs.NewRunner(client, cfg.Cloudflare.AccountID, cfg.Cloudflare.NamespaceID, host)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	// Reload the configuration from the environment every few minutes so
	// operators can change intervals without a restart.
	go func() {
		t := time.NewTicker(5 * time.Minute)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				config.Swap(config.FromEnv())
			}
		}
	}()
	log.Printf("osprey-worker %s starting", host)
	runner.Run(ctx)
}
