// Command reaper is the nightly maintenance job: it sweeps stale matchmaking
// tickets, audits sessions, backfills invite codes and publishes daily
// statistics. It talks to the KV REST API directly through cloudflare-go.
package main

import (
	"context"
	"flag"
	"log"
	"os"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/option"
)

type job struct {
	api       *cloudflare.Client
	accountID string
	namespace string
	dryRun    bool
}

func main() {
	var (
		only    = flag.String("only", "", "run a single task")
		dryRun  = flag.Bool("dry-run", false, "log instead of writing")
		idsFile = flag.String("banned", "", "file with banned player ids, one per line")
		timeout = flag.Duration("timeout", 50*time.Minute, "overall deadline")
	)
	flag.Parse()

	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()

	j := &job{
		api:       cloudflare.NewClient(option.WithAPIToken(os.Getenv("CF_API_TOKEN")), option.WithMaxRetries(4)),
		accountID: os.Getenv("CF_ACCOUNT_ID"),
		namespace: os.Getenv("KV_NAMESPACE_ID"),
		dryRun:    *dryRun,
	}

	tasks := []struct {
		name string
		run  func(context.Context) error
	}{
		{"canary", j.canary},
		{"sample", j.sample},
		{"tickets", j.sweepTickets},
		{"sessions", j.auditSessions},
		{"lobbies", j.exportLobbies},
		{"invites", j.backfillInvites},
		{"results", j.pruneResults},
		{"hits", j.publishHits},
		{"config", j.ensureConfig},
		{"rules", j.publishRules},
		{"banned", func(ctx context.Context) error { return j.revokeBanned(ctx, *idsFile) }},
	}
	for _, t := range tasks {
		if *only != "" && *only != t.name {
			continue
		}
		start := time.Now()
		if err := t.run(ctx); err != nil {
			log.Printf("%s: %v", t.name, err)
			continue
		}
		log.Printf("%s: done in %s", t.name, time.Since(start).Round(time.Millisecond))
	}
}
