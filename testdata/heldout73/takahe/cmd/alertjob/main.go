// Command alertjob evaluates telemetry alerts every few minutes and runs the
// nightly check-in sweep.
package main

import (
	"context"
	"flag"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/option"

	"github.com/takahe-iot/takahe/internal/alerts"
	"github.com/takahe-iot/takahe/internal/checkin"
	"github.com/takahe-iot/takahe/internal/dag"
	"github.com/takahe-iot/takahe/internal/kvstore"
)

func main() {
	fleets := flag.String("fleets", "", "comma-separated fleets to evaluate")
	every := flag.Duration("every", 5*time.Minute, "evaluation interval")
	quiet := flag.Duration("quiet-after", 48*time.Hour, "mark devices offline after this long")
	flag.Parse()

	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	client := cloudflare.NewClient(option.WithAPIToken(os.Getenv("CF_API_TOKEN")))
	ns := kvstore.New(client, os.Getenv("CF_ACCOUNT_ID"), os.Getenv("FLEET_KV_ID"))
	names := strings.Split(*fleets, ",")

	jobs := make([]*alerts.Job, 0, len(names))
	for _, f := range names {
		jobs = append(jobs, &alerts.Job{NS: ns, Log: log, Fleet: f})
	}
	tracker := &checkin.Tracker{NS: ns, Log: log, Retain: 30 * 24 * time.Hour, MaxPages: 50}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	tick := time.NewTicker(*every)
	defer tick.Stop()
	lastSweep := time.Time{}
	for {
		for _, j := range jobs {
			if err := j.Run(ctx); err != nil {
				log.Error("alerts", "fleet", j.Fleet, "err", err)
			}
		}
		if time.Since(lastSweep) > 24*time.Hour {
			env := dag.NewEnv(nil)
			if err := dag.Run(ctx, env, tracker.SweepTasks(names, *quiet)); err != nil {
				log.Error("sweep", "err", err)
			}
			lastSweep = time.Now()
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
