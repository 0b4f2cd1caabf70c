// Command calsync runs on the backend every few minutes and copies the
// practice management system's calendars into Workers KV.
package main

import (
	"context"
	"errors"
	"flag"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/harborclinic/stint/internal/adminkv"
	"github.com/harborclinic/stint/internal/calsync"
	"github.com/harborclinic/stint/internal/clock"
)

var now = time.Now

func main() {
	var (
		clinics  = flag.String("clinics", os.Getenv("CLINICS"), "comma-separated clinic=doctor1|doctor2 list")
		upstream = flag.String("upstream", os.Getenv("PMS_URL"), "practice management system base URL")
		runner   = flag.String("runner", hostname(), "runner name for the clinic lock")
		seed     = flag.String("seed", "", "seed the slot grid of a new clinic and exit")
		stats    = flag.Bool("stats", false, "print slot statistics and exit")
	)
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	client := adminkv.New(os.Getenv("CF_API_TOKEN"), os.Getenv("CF_ACCOUNT_ID"), os.Getenv("KV_AVAILABILITY_ID"))
	s := &calsync.Syncer{
		KV:       client,
		Clock:    clock.System{},
		HTTP:     &http.Client{Timeout: 20 * time.Second},
		Upstream: strings.TrimSuffix(*upstream, "/"),
	}

	switch {
	case *seed != "":
		if err := s.SeedGrid(ctx, *seed, now()); err != nil {
			log.Fatal(err)
		}
		return
	case *stats:
		st, err := s.Stats(ctx)
		if err != nil {
			log.Fatal(err)
		}
		for clinic, c := range st {
			log.Printf("%s: %d slots, %d free", clinic, c[0], c[1])
		}
		return
	}

	failed := 0
clinics:
	for _, spec := range strings.Split(*clinics, ",") {
		clinicID, doctors, _ := strings.Cut(strings.TrimSpace(spec), "=")
		if clinicID == "" {
			continue
		}
		unlock, err := s.Lock(ctx, clinicID, *runner)
		if errors.Is(err, calsync.ErrLocked) {
			log.Printf("%s: locked by another runner", clinicID)
			continue
		}
		if err != nil {
			log.Printf("%s: %v", clinicID, err)
			failed++
			continue
		}
		roster := strings.Split(doctors, "|")
		for _, doctorID := range roster {
			err := s.SyncDoctor(ctx, clinicID, doctorID)
			switch {
			case errors.Is(err, calsync.ErrBackoff):
				unlock()
				continue clinics
			case err != nil:
				log.Printf("%s/%s: %v", clinicID, doctorID, err)
				failed++
			}
			_ = client.Put(ctx, "calsync:heartbeat", []byte(now().UTC().Format(time.RFC3339))) // EXPECT kvhotkey
		}
		if n, err := s.PruneDoctors(ctx, clinicID, roster); err != nil {
			log.Printf("%s: prune: %v", clinicID, err)
		} else if n > 0 {
			log.Printf("%s: pruned %d slots", clinicID, n)
		}
		_ = client.PutMany(ctx, []adminkv.Entry{{
			Key:   "calsync:last-run:" + clinicID,
			Value: now().UTC().Format(time.RFC3339),
			TTL:   7 * 24 * time.Hour,
		}})
		unlock()
	}
	if failed > 0 {
		os.Exit(1)
	}
}

func hostname() string {
	h, _ := os.Hostname()
	return h
}
