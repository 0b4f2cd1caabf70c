// Command nightly-export runs the nightly attendee export and, before a
// new event opens registration, the programme and registration imports.
// It is started by the platform's scheduler.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"log"
	"os"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/option"

	"github.com/confhub/puffin/internal/domain"
	"github.com/confhub/puffin/internal/export"
	"github.com/confhub/puffin/internal/kvx"
	"github.com/confhub/puffin/internal/programme"
)

func main() {
	var (
		day           = flag.String("day", time.Now().UTC().AddDate(0, 0, -1).Format("2006-01-02"), "day to export (YYYY-MM-DD)")
		events        = flag.String("events", "", "JSON array of event IDs to export")
		importFile    = flag.String("import", "", "registrations JSON file to import instead of exporting")
		event         = flag.String("event", "", "event of -import and -programme")
		programmeFile = flag.String("programme", "", "programme JSON file to sync instead of exporting")
		dryRun        = flag.Bool("dry-run", false, "print writes instead of storing them")
	)
	flag.Parse()

	account := os.Getenv("CF_ACCOUNT_ID")
	api := cloudflare.NewClient(option.WithAPIToken(os.Getenv("CF_API_TOKEN")), option.WithMaxRetries(5))
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Minute)
	defer cancel()

	switch {
	case *importFile != "":
		var rows []domain.Attendee
		mustDecode(*importFile, &rows)
		store := kvx.New(api, account, os.Getenv("KV_BADGES"))
		put := programme.PutFunc((*kvx.Store).Put)
		if *dryRun {
			put = programme.DryRun
		}
		from, err := programme.ResumeFrom(ctx, store)
		if err != nil {
			log.Fatal(err)
		}
		if from > len(rows) {
			from = len(rows)
		}
		n, err := programme.Import(ctx, store, rows[from:], put)
		log.Printf("imported %d rows for %s (resumed at %d)", n, *event, from)
		if err != nil {
			log.Fatal(err)
		}
	case *programmeFile != "":
		var talks []domain.Talk
		mustDecode(*programmeFile, &talks)
		store := kvx.New(api, account, os.Getenv("KV_PROGRAM"))
		if err := programme.Sync(ctx, store, *event, talks); err != nil {
			log.Fatal(err)
		}
		if err := programme.InitSeats(ctx, store, talks); err != nil {
			log.Fatal(err)
		}
	default:
		var ids []string
		if err := json.Unmarshal([]byte(*events), &ids); err != nil {
			log.Fatalf("-events: %v", err)
		}
		host, _ := os.Hostname()
		job := export.New(api, account, os.Getenv("KV_BADGES"), os.Getenv("KV_ARCHIVE"), host)
		if err := job.Run(ctx, *day, ids); err != nil {
			log.Fatal(err)
		}
	}
}

func mustDecode(path string, v any) {
	raw, err := os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		log.Fatalf("%s: %v", path, err)
	}
}
