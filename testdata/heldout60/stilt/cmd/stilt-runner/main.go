// Command stilt-runner runs the control plane's background sweeps: stale
// job detection every few minutes and archiving once an hour.
package main

import (
	"context"
	"flag"
	"log"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/option"

	"github.com/framewell/stilt/internal/runner"
)

func main() {
	var (
		account    = flag.String("account", os.Getenv("CF_ACCOUNT_ID"), "Cloudflare account ID")
		jobsNS     = flag.String("kv-jobs", "", "namespace ID of the job records")
		archiveNS  = flag.String("kv-archive", "", "namespace ID of the job archive")
		every      = flag.Duration("every", 5*time.Minute, "sweep interval")
		staleAfter = flag.Duration("stale-after", 30*time.Minute, "mark running jobs stale after this long without progress")
	)
	flag.Parse()

	host, _ := os.Hostname()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	client := cloudflare.NewClient(option.WithAPIToken(os.Getenv("CLOUDFLARE_API_TOKEN")))
	sw := runner.NewSweeper(client, *account, *jobsNS, *archiveNS, host+"/"+os.Getenv("HOSTNAME"))
	sw.StaleAfter = *staleAfter

	sweep := time.NewTicker(*every)
	defer sweep.Stop()
	archive := time.NewTicker(time.Hour)
	defer archive.Stop()

	for {
		select {
		case <-ctx.Done():
			return
		case <-sweep.C:
			tctx, cancel := context.WithTimeout(ctx, *every)
			if err := sw.Tick(tctx); err != nil {
				log.Printf("sweep: %v", err)
			}
			cancel()
		case <-archive.C:
			actx, cancel := context.WithTimeout(ctx, 20*time.Minute)
			if err := sw.Archive(actx); err != nil {
				log.Printf("archive: %v", err)
			}
			cancel()
		}
	}
}
