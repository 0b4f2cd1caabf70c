//go:build js && wasm

// Command worker is the Grebe edge Worker: member logins, bookings, door
// codes, guests, printing and the lobby dashboards.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"

	"example.com/grebe/edge/bookings"
	"example.com/grebe/edge/doorcodes"
	"example.com/grebe/edge/guests"
	"example.com/grebe/edge/kvadapter"
	"example.com/grebe/edge/maintenance"
	"example.com/grebe/edge/occupancy"
	"example.com/grebe/edge/printing"
	"example.com/grebe/edge/sessions"
	"example.com/grebe/edge/upstream"
	"example.com/grebe/internal/config"
	"example.com/grebe/internal/flags"
	"example.com/grebe/internal/instrument"
	"example.com/grebe/internal/jobs"
	"example.com/grebe/internal/store"
	"example.com/grebe/internal/store/memstore"
	"example.com/grebe/internal/store/router"
)

// deps is everything the routes and the cron handler need.
type deps struct {
	cfg      config.Config
	log      *slog.Logger
	st       store.Store
	flags    *flags.Set
	jobs     *jobs.Queue
	sessions *sessions.Service
	bookings *bookings.Service
	guests   *guests.Base
	printing *printing.Service
	occ      *occupancy.Tracker
	feeds    *upstream.Client
	sweeper  *maintenance.Sweeper
	doors    map[string]*doorcodes.Issuer
}

func wire() (deps, error) {
	cfg, err := config.Load()
	if err != nil {
		return deps{}, err
	}
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	rec := instrument.Log(log, 50*time.Millisecond)

	primary, err := kvadapter.Open("GREBE_KV", kvadapter.WithCacheTTL(20)) // EXPECT kvttl
	if err != nil {
		return deps{}, err
	}
	settings, err := kvadapter.Open("GREBE_SETTINGS", kvadapter.WithCacheTTL(300))
	if err != nil {
		return deps{}, err
	}

	// Session keys and everything else share the namespace but are timed
	// separately; tmp: keys never leave the isolate.
	st := router.New(
		instrument.Wrap(primary, rec, "kv"),
		router.Route{Prefix: "sess:", Backend: instrument.Wrap(primary, rec, "sessions")},
		router.Route{Prefix: "tmp:", Backend: memstore.New()},
	)
	fl := flags.New(func(ctx context.Context) ([]byte, error) {
		return settings.Get(ctx, "feature-flags")
	}, time.Minute)

	q := jobs.New(64, log)
	be := newBackend(cloudflare.Getenv("BACKEND_URL"), cloudflare.Getenv("BACKEND_TOKEN"))
	ns := primary.Namespace()
	doors := map[string]*doorcodes.Issuer{
		"member":  doorcodes.NewIssuer(ns, "door:member:", doorcodes.WithTTL(cfg.DoorCodeLifetime), doorcodes.WithAudit(ns)),
		"visitor": doorcodes.NewIssuer(ns, "door:visitor:", doorcodes.WithTTL(12*time.Hour), doorcodes.WithDigits(8), doorcodes.WithAudit(ns)),
		"instant": doorcodes.NewIssuer(ns, "door:instant:", doorcodes.WithTTL(45*time.Second), doorcodes.SingleUse()), // EXPECT kvttl
	}

	return deps{
		cfg:      cfg,
		log:      log,
		st:       st,
		flags:    fl,
		jobs:     q,
		sessions: sessions.New(st, be, be, fl, cfg, "https://app.grebe.work/login"),
		bookings: bookings.New(st, doors["member"], fl, cfg.SweepMaxPages),
		guests:   guests.New(st, cfg, doors["visitor"], be),
		printing: printing.New(primary, instrument.Wrap(primary, rec, "print"), q, be, cfg),
		occ:      occupancy.New(primary, q, &instrument.Counters{}, cfg),
		feeds:    upstream.New(http.DefaultClient, st, cfg),
		sweeper:  maintenance.New(ns, log, cfg.SweepMaxPages),
		doors:    doors,
	}, nil
}

// scheduled runs on the Worker's cron triggers: every minute for the
// dashboards, nightly for the sweeps.
func (d deps) scheduled(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	switch ev.Cron {
	case "* * * * *":
		if err := d.occ.Snapshot(ctx); err != nil {
			return err
		}
	case "17 3 * * *":
		if err := d.sweeper.RunAll(ctx); err != nil {
			return err
		}
	default:
		return fmt.Errorf("worker: unexpected cron %q", ev.Cron)
	}
	stamp := []byte(ev.ScheduledTime.Format(time.RFC3339))
	return d.st.Put(ctx, "cron:last-run:"+ev.Cron, stamp, store.PutOptions{TTL: 7 * 24 * time.Hour})
}

func main() {
	d, err := wire()
	if err != nil {
		panic(err)
	}
	cron.ScheduleTaskNonBlock(d.scheduled)
	workers.Serve(routes(d))
}
