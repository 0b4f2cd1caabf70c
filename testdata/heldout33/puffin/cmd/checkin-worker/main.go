//go:build js && wasm

// Command checkin-worker is the Cloudflare Worker behind the door scanners,
// the registration desk, seat reservations and the speaker portal sign-in.
//
// Bindings (wrangler.toml):
//
//	BADGES   badge records, check-ins, door configuration, tallies
//	PROGRAM  talks, seat holds
//	PORTAL   speaker portal codes, links and sessions
package main

import (
	"context"
	"encoding/json"
	"log"
	"net/http"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"

	"github.com/confhub/puffin/internal/checkin"
	"github.com/confhub/puffin/internal/edge"
	"github.com/confhub/puffin/internal/holds"
	"github.com/confhub/puffin/internal/keys"
	"github.com/confhub/puffin/internal/portal"
)

const auditRetention = 30 * 24 * time.Hour

func main() {
	badges := edge.Bind("BADGES")
	program := edge.Bind("PROGRAM")
	sessions := edge.Bind("PORTAL")
	mailer := portal.NewMailer()

	mux := http.NewServeMux()

	// Door scanners and registration desk.
	mux.HandleFunc("POST /scan", checkin.CheckIn(badges, auditRetention))
	mux.HandleFunc("GET /door", checkin.DoorStatus(badges, 10*time.Second)) // EXPECT kvttl
	mux.HandleFunc("GET /doors", checkin.Doors(badges))
	mux.HandleFunc("POST /door/override", checkin.Override(badges))
	mux.HandleFunc("POST /desk/walkin", checkin.Walkin(badges, keys.Root.Child("desk", "print-queue")))

	// Seat reservations from the event app.
	mux.HandleFunc("POST /holds", holds.Reserve(program, 10*time.Minute))
	mux.HandleFunc("POST /holds/confirm", holds.Confirm(program))
	mux.HandleFunc("POST /holds/release", holds.Release(program))
	mux.HandleFunc("POST /holds/offer", holds.Offer(program))
	mux.HandleFunc("GET /holds", holds.Roster(program))

	// Speaker portal sign-in.
	mux.HandleFunc("POST /portal/code", portal.RequestCode(sessions, mailer))
	mux.HandleFunc("POST /portal/verify", portal.VerifyCode(sessions))
	mux.HandleFunc("POST /portal/link", portal.SendLink(sessions, mailer, "https://speakers.puffin.events"))
	mux.HandleFunc("GET /portal/magic", portal.Redeem(sessions))
	mux.HandleFunc("GET /portal/me", portal.Me(sessions))
	mux.HandleFunc("POST /portal/event", portal.SwitchEvent(sessions))
	mux.HandleFunc("POST /portal/logout", portal.Logout(sessions))
	mux.HandleFunc("POST /portal/logout-all", portal.SignOutEverywhere(sessions))

	cron.ScheduleTaskNonBlock(func(ctx context.Context) error {
		return sweepHolds(ctx, program)
	})
	workers.Serve(mux)
}

// activeEvents is maintained by the organiser dashboard.
var activeEvents = keys.Root.Child("events", "active")

// sweepHolds runs every five minutes from the cron trigger.
func sweepHolds(ctx context.Context, program *edge.Bucket) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	raw, ok, err := program.Get(activeEvents)
	if err != nil || !ok {
		return err
	}
	var events []string
	if err := json.Unmarshal([]byte(raw), &events); err != nil {
		return err
	}
	total := 0
	for _, id := range events {
		n, err := holds.Sweep(program, id)
		if err != nil {
			log.Printf("sweep %s: %v", id, err)
			continue
		}
		total += n
	}
	summary, _ := json.Marshal(map[string]any{"at": ev.ScheduledTime, "released": total, "cron": ev.Cron})
	cloudflare.WaitUntil(func() {
		if err := program.Put(keys.Root.Child("holds", "last-sweep"), string(summary), 24*time.Hour); err != nil {
			log.Printf("sweep summary: %v", err)
		}
	})
	return nil
}
