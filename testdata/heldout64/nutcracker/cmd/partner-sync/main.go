// Command partner-sync copies the partner registry export into KV. It is
// the older service and still uses cloudflare-go v3.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"log"
	"os"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/option"

	"github.com/portwell/nutcracker/internal/partnersync"
)

func main() {
	export := flag.String("export", "partners.json", "partner registry export")
	prune := flag.Bool("prune", false, "remove withdrawn registrations")
	flag.Parse()

	f, err := os.Open(*export)
	if err != nil {
		log.Fatal(err)
	}
	var regs []partnersync.Registration
	if err := json.NewDecoder(f).Decode(&regs); err != nil {
		log.Fatal(err)
	}
	f.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	s := &partnersync.Syncer{
		API:       cloudflare.NewClient(option.WithAPIToken(os.Getenv("CF_API_TOKEN"))),
		AccountID: os.Getenv("CF_ACCOUNT_ID"),
		Namespace: os.Getenv("PORTAL_KV_NAMESPACE"),
	}
	if err := s.Push(ctx, regs); err != nil {
		log.Fatal(err)
	}
	if missing, err := s.SpotCheck(ctx); err != nil {
		log.Printf("spot check: %v", err)
	} else if len(missing) > 0 {
		log.Printf("spot check: %d registrations not readable yet: %v", len(missing), missing)
	}
	if *prune {
		keep := make(map[string]bool, len(regs))
		for _, r := range regs {
			keep[r.ClientID] = true
		}
		n, err := s.Prune(ctx, keep)
		if err != nil {
			log.Fatal(err)
		}
		log.Printf("pruned %d registrations", n)
	}
}
