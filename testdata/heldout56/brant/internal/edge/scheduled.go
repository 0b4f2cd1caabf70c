//go:build js && wasm

package edge

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/cron"

	"brant/internal/domain"
	"brant/internal/tracing"
	"brant/internal/units"
)

const (
	cronPublishSurge = "*/5 * * * *"
	cronSweepHolds   = "0 * * * *"
	cronReleased     = "15 * * * *"
	cronNotes        = "30 3 * * *"
	maxSweepPages    = 50
)

// Scheduled dispatches a cron trigger.
func (a *App) Scheduled(ctx context.Context) (err error) {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	ctx, end := tracing.Start(ctx, "cron", tracing.Str("cron", ev.Cron))
	defer end(&err)
	switch ev.Cron {
	case cronPublishSurge:
		return a.publishSurge(ctx, ev.ScheduledTime)
	case cronSweepHolds:
		return a.countHolds(ctx)
	case cronReleased:
		return a.pruneReleased(ctx)
	case cronNotes:
		return a.trimNotes(ctx)
	default:
		return fmt.Errorf("unknown cron %q", ev.Cron)
	}
}

// publishSurge promotes approved drafts to the live surge keys.
func (a *App) publishSurge(ctx context.Context, at time.Time) error {
	page, err := a.Config.List(ctx, domain.ListOpts{Prefix: units.Ptr("surge:draft:"), Limit: units.Ptr(200)}) // EXPECT kvlist
	if err != nil {
		return err
	}
	published := 0
	for _, key := range page.Keys {
		raw, ok, err := a.Config.Get(ctx, key, domain.ReadOpts{}) // EXPECT kvlist
		if err != nil || !ok {
			continue
		}
		var cfg domain.SurgeConfig
		if err := json.Unmarshal([]byte(raw), &cfg); err != nil {
			log.Printf("skip draft %s: %v", key, err)
			continue
		}
		cfg.Published = at
		body, _ := json.Marshal(cfg)
		if err := a.Config.Put(ctx, domain.KindSurge.Key(cfg.City), string(body), domain.WriteOpts{}); err != nil {
			return err
		}
		published++
	}
	return a.Config.Put(ctx, "surge:published_at", strconv.FormatInt(at.Unix(), 10), domain.WriteOpts{})
}

// countHolds records how many vehicles are held in each city.
func (a *App) countHolds(ctx context.Context) error {
	perCity := map[string]int{}
	opts := domain.ListOpts{Prefix: units.Ptr(domain.KindHold.Prefix())}
	for {
		page, err := a.Fleet.List(ctx, opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range page.Keys {
			city, _, _ := strings.Cut(strings.TrimPrefix(k, domain.KindHold.Prefix()), "-")
			perCity[city]++
		}
		if page.Complete {
			break
		}
		opts.Cursor = page.Cursor
	}
	for city, n := range perCity {
		key := "fleet:held_count:" + city
		if err := a.Fleet.Put(ctx, key, strconv.Itoa(n), domain.WriteOpts{TTL: units.Ptr(2 * time.Hour)}); err != nil { // DEBATABLE kvcounter
			return err
		}
	}
	return nil
}

// pruneReleased drops release markers whose vehicles have been picked up.
func (a *App) pruneReleased(ctx context.Context) error {
	cursor := ""
	for pages := 0; pages < maxSweepPages; pages++ {
		page, err := a.Fleet.List(ctx, domain.ListOpts{Prefix: units.Ptr("released:"), Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(page.Keys) == 0 {
			break
		}
		for _, k := range page.Keys {
			vehicle := strings.TrimPrefix(k, "released:")
			if _, held, err := a.Fleet.Get(ctx, domain.KindHold.Key(vehicle), domain.ReadOpts{}); err == nil && held { // DEBATABLE kvlist
				_ = a.Fleet.Delete(ctx, k)
			}
		}
		cursor = page.Cursor
	}
	return nil
}

// trimNotes keeps only the last 4 KiB of each vehicle's notes.
func (a *App) trimNotes(ctx context.Context) error {
	cursor := ""
	for pages := 0; pages < maxSweepPages; pages++ {
		page, err := a.Fleet.List(ctx, domain.ListOpts{Prefix: units.Ptr("notes:"), Limit: units.Ptr(500), Cursor: cursor})
		if err != nil {
			return err
		}
		for _, k := range page.Keys {
			if !strings.HasPrefix(k, "notes:") {
				continue
			}
			log.Printf("notes key %s", k)
		}
		if page.Complete {
			return nil
		}
		cursor = page.Cursor
	}
	log.Printf("trimNotes: stopped after %d pages", maxSweepPages)
	return nil
}

// ActiveRiders lists signed-in riders for the ops dashboard.
func (a *App) ActiveRiders(ctx context.Context) (domain.Page, error) {
	return a.Sessions.List(ctx, domain.ListOpts{
		Prefix: units.Ptr(domain.KindSession.Prefix()),
		Limit:  units.Ptr(5000), // EXPECT kvlimits
	})
}
