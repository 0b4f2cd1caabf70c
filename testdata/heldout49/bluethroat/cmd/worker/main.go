//go:build js && wasm

// Command worker is the TableKeep edge worker: the booking and waitlist API,
// guest and staff sign-in, and the cron and queue jobs.
package main

import (
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/queues"

	"github.com/tablekeep/bluethroat/internal/clock"
	"github.com/tablekeep/bluethroat/internal/edgekv"
	"github.com/tablekeep/bluethroat/internal/guest"
	"github.com/tablekeep/bluethroat/internal/jobs"
	"github.com/tablekeep/bluethroat/internal/model"
	"github.com/tablekeep/bluethroat/internal/reserve"
	"github.com/tablekeep/bluethroat/internal/staff"
	"github.com/tablekeep/bluethroat/internal/venue"
	"github.com/tablekeep/bluethroat/internal/waitlist"
)

// KV bindings from wrangler.toml.
const (
	bindBookings = "BOOKINGS"
	bindGuests   = "GUESTS"
	bindWaitlist = "WAITLIST"
	bindStaff    = "STAFF"
	bindCache    = "CACHE"
)

func main() {
	clk := clock.System{}
	bookings := edgekv.Open(bindBookings, "")
	cache := edgekv.Open(bindCache, "")
	origin := venue.HTTPOrigin("https://office.tablekeep.example/api", "")
	restaurants := func() []string { return strings.Split(cloudflare.Getenv("RESTAURANTS"), ",") }

	svc := reserve.NewService(bookings, clk, 3*time.Hour)
	limiter := reserve.NewLimiter(bindBookings, 20, "RATE_WINDOW", clk.Now)
	sessions := guest.NewSessions(bindGuests, clk, 30*24*time.Hour, 14*24*time.Hour)
	profiles := guest.NewProfiles(bindGuests, clk)
	otp := guest.NewOTP(bindGuests, clk, smsSender{})
	board := waitlist.NewBoard(bindWaitlist, clk, 36*time.Hour, closingAt)
	auth := staff.NewAuth(bindStaff, clk, "https://accounts.google.com/o/oauth2/v2/auth", "tablekeep-host", googleExchange)

	mux := http.NewServeMux()
	mux.HandleFunc("POST /bookings", reserve.MakeReserve(svc, limiter, bookings))
	mux.HandleFunc("PATCH /bookings", reserve.MakeModify(svc))
	mux.HandleFunc("GET /bookings", reserve.MakeGetBooking(svc))
	mux.HandleFunc("POST /bookings/confirm", reserve.MakeConfirm(svc))
	mux.HandleFunc("POST /bookings/cancel", reserve.MakeCancel(svc))
	mux.HandleFunc("GET /availability", reserve.MakeAvailability(bookings, model.PrefixSlot, 10*time.Second, clk.Now)) // EXPECT kvttl

	mux.HandleFunc("GET /menu", venue.MakeMenu(cache, "menu:", 45*time.Second, clk.Now, origin)) // EXPECT kvttl
	mux.HandleFunc("GET /r/{restaurant}", venue.MakePage(bindCache, cache, 20*time.Second, origin))
	mux.HandleFunc("GET /restaurants/{restaurant}/settings", venue.MakeSettings(venue.NewDirectory(cache, origin, 30*time.Second)))
	mux.HandleFunc("GET /healthz", venue.MakeHealth(bindCache, clk.Now))

	mux.HandleFunc("POST /auth/code", guest.MakeSendCode(otp))
	mux.HandleFunc("POST /auth/verify", guest.MakeVerifyCode(otp, sessions, profiles, guestIDFor))
	mux.HandleFunc("GET /in/{token}", guest.MakeMagicLink(sessions, profiles))
	mux.HandleFunc("POST /me/hold", guest.MakeHold(sessions))
	mux.HandleFunc("POST /me/logout", guest.MakeLogout(sessions))

	mux.HandleFunc("POST /waitlist", waitlist.MakeJoin(board))
	mux.HandleFunc("GET /waitlist/position", waitlist.MakePosition(board))
	mux.HandleFunc("POST /host/waitlist/next", auth.Require(waitlist.MakePromote(board)))

	mux.HandleFunc("GET /staff/login", auth.Start())
	mux.HandleFunc("GET /staff/callback", auth.Callback())
	mux.HandleFunc("POST /staff/logout", auth.Logout())

	sched := jobs.NewScheduler("tablekeep-jobs", 25*time.Second)
	sched.Register(
		jobs.TickStamp{Meta: bookings, Clock: clk},
		jobs.NoShowSweep{
			Bookings:      bookings.Sub(model.PrefixBooking),
			Meta:          bookings,
			GuestsBinding: bindGuests,
			Clock:         clk,
			Grace:         2 * time.Hour,
			MaxPerRun:     400,
		},
		jobs.CoversReport{Root: bookings, Restaurants: restaurants, Clock: clk, Retention: 400 * 24 * time.Hour},
		jobs.HoldRelease{Binding: bindBookings, Meta: bookings, Clock: clk},
		jobs.WaitlistPurge{Binding: bindWaitlist, Clock: clk, Keep: 2},
		jobs.SessionAudit{Binding: bindGuests, Clock: clk},
		jobs.AvailabilitySnapshot{Binding: bindBookings, Restaurants: restaurants, Shifts: []string{"lunch", "dinner"}, Clock: clk},
	)
	deposits := &jobs.DepositConsumer{Binding: bindBookings, Deposits: bookings.Sub(model.PrefixDeposit), Meta: bookings}
	sched.Handle("tablekeep-deposits", deposits.Consume)

	cron.ScheduleTaskNonBlock(sched.Tick)
	queues.ConsumeNonBlock(sched.Consume)
	workers.Serve(mux)
}

// closingAt is when a restaurant stops seating walk-ins: 22:00 local time on date.
func closingAt(restaurant, date string) time.Time {
	loc, err := time.LoadLocation(cloudflare.Getenv("TZ_" + strings.ToUpper(restaurant)))
	if err != nil {
		loc = time.UTC
	}
	d, err := time.ParseInLocation(model.DayLayout, date, loc)
	if err != nil {
		return time.Now()
	}
	return d.Add(22 * time.Hour)
}

func guestIDFor(phone string) string {
	return "g" + strings.NewReplacer("+", "", " ", "", "-", "").Replace(phone)
}
