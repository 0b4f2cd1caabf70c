//go:build js && wasm

// Command edge is the Cloudflare Worker in front of the charging network:
// driver API, charger bridge, public status and the scheduled sweeps.
package main

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare/cron"

	"example.com/wren/edge/chargerstatus"
	"example.com/wren/edge/httpapi"
	"example.com/wren/edge/kvstore"
	"example.com/wren/edge/ratelimit"
	"example.com/wren/edge/reservation"
	"example.com/wren/edge/rfid"
	"example.com/wren/edge/session"
	"example.com/wren/edge/sweeper"
	"example.com/wren/edge/tariffs"
	"example.com/wren/internal/lifetime"
)

// statusCacheTTL is how long edge locations may serve a charger's status without going back to KV.
const statusCacheTTL = 15 * time.Second

const publicRequestsPerMinute = 120

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: slog.LevelInfo}))

	sessions := kvstore.Open("SESSIONS", kvstore.WithPrefix("drv"))
	status := kvstore.Open("STATUS",
		kvstore.WithCacheTTL(statusCacheTTL), // EXPECT kvttl
		kvstore.WithPageSize(2000),           // EXPECT kvlimits
	)
	presence := kvstore.Open("STATUS",
		kvstore.WithPrefix("presence"),
		kvstore.WithTTL(20*time.Second), // EXPECT kvttl
	)
	links := kvstore.Open("LINKS", kvstore.WithTTL(lifetime.LoginCode))
	cards := kvstore.Open("CARDS", kvstore.WithCacheTTL(time.Minute))
	reservations := kvstore.Open("RESERVATIONS", kvstore.WithPageSize(1000))
	catalogStore := kvstore.Open("TARIFFS", kvstore.WithCacheTTL(5*time.Minute))
	limits := kvstore.Open("RATELIMIT")

	origin := newOrigin(os.Getenv("WREN_ORIGIN"), &http.Client{Timeout: 10 * time.Second})

	app := &httpapi.App{
		Sessions:     session.New(sessions),
		Status:       status,
		Presence:     presence,
		Links:        links,
		Tracker:      chargerstatus.NewTracker(status),
		Tariffs:      tariffs.NewCatalog(catalogStore.Namespace, catalogStore, origin),
		Reservations: reservation.NewService(reservations),
		Authorizer:   rfid.NewAuthorizer(cards, origin, cards.Namespace),
		Blocker:      rfid.NewBlocker(cards),
		Backend:      origin,
		Log:          log,
	}

	handler := ratelimit.Middleware(limits, publicRequestsPerMinute, log)(app.Routes())
	jobs := sweeper.New(status, reservations, log)

	workers.ServeNonBlock(handler)
	cron.ScheduleTaskNonBlock(func(ctx context.Context) error {
		ev, err := cron.NewEvent(ctx)
		if err != nil {
			return err
		}
		return jobs.Run(ctx, ev.Cron)
	})
	workers.Ready()
	<-workers.Done()
}
