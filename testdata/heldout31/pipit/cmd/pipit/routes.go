package main

import (
	"net/http"

	"example.com/pipit/internal/auth"
	"example.com/pipit/internal/availability"
	"example.com/pipit/internal/booking"
	"example.com/pipit/internal/bus"
	"example.com/pipit/internal/doorcode"
	"example.com/pipit/internal/housekeeping"
	"example.com/pipit/internal/httpx"
	"example.com/pipit/internal/kvop"
	"example.com/pipit/internal/loyalty"
	"example.com/pipit/internal/presence"
	"example.com/pipit/internal/rates"
	"example.com/pipit/internal/reviews"
)

type routeDeps struct {
	auth    *auth.Service
	avail   *availability.Service
	doors   *doorcode.Service
	pres    *presence.Service
	hk      *housekeeping.Service
	rates   *rates.Service
	loyalty *loyalty.Service
	reviews *reviews.Service
	wizard  *booking.Wizard
	bus     *bus.Bus
	metrics *kvop.Metrics
}

func principal(r *http.Request) httpx.Principal {
	p, _ := httpx.PrincipalFrom(r.Context())
	return p
}

type handler = func(http.ResponseWriter, *http.Request) error

// reply writes v as JSON unless err is set.
func reply(w http.ResponseWriter) func(v any, err error) error {
	return func(v any, err error) error {
		if err != nil {
			return err
		}
		return httpx.JSON(w, http.StatusOK, v)
	}
}

// command returns a handler that decodes a C and dispatches it.
func command[C any](b *bus.Bus, fill func(*http.Request, *C)) handler { return bus.Handle(b, fill) }

func inProperty[C any](set func(*C, string)) func(*http.Request, *C) {
	return func(r *http.Request, c *C) { set(c, r.PathValue("property")) }
}

func routes(d routeDeps) *http.ServeMux {
	mux := http.NewServeMux()
	open := func(pattern string, h handler) { mux.Handle(pattern, httpx.E(h)) }
	signedIn := func(pattern string, h handler) { mux.Handle(pattern, d.auth.RequireSession(httpx.E(h))) }

	open("POST /auth/guest/login", d.auth.GuestLogin)
	open("POST /auth/token/refresh", d.auth.Refresh)
	signedIn("POST /auth/logout", command(d.bus, func(r *http.Request, c *auth.Logout) { c.SessionID = principal(r).SessionID }))
	signedIn("POST /auth/revoke", command[auth.RevokeEverywhere](d.bus, nil))

	open("GET /properties/{property}/availability", d.avail.HandleSearch)
	open("GET /properties/{property}/rates", d.rates.Card)
	open("POST /properties/{property}/check-in", d.doors.HandleCheckIn)
	signedIn("POST /properties/{property}/holds", command(d.bus, func(r *http.Request, c *availability.PlaceHold) {
		c.PropertyID, c.GuestID = r.PathValue("property"), principal(r).GuestID
	}))
	signedIn("POST /properties/{property}/carts", d.wizard.Start)
	signedIn("POST /carts/{cart}/next", d.wizard.Next)
	signedIn("POST /carts/{cart}/confirm", d.wizard.Confirm)

	signedIn("POST /properties/{property}/tasks", command(d.bus, inProperty(func(c *housekeeping.AddTask, p string) { c.PropertyID = p })))
	signedIn("POST /properties/{property}/tasks/assign", command(d.bus, inProperty(func(c *housekeeping.AssignTask, p string) { c.PropertyID = p })))
	signedIn("POST /properties/{property}/tasks/finish", command(d.bus, inProperty(func(c *housekeeping.FinishTasks, p string) { c.PropertyID = p })))
	signedIn("GET /properties/{property}/events", d.pres.Stream)
	signedIn("GET /properties/{property}/floors/{floor}/tasks", func(w http.ResponseWriter, r *http.Request) error {
		return reply(w)(d.hk.FloorTasks(r.Context(), r.PathValue("property"), r.PathValue("floor")))
	})
	signedIn("GET /properties/{property}/locks/low-battery", func(w http.ResponseWriter, r *http.Request) error {
		return reply(w)(d.doors.LowBattery(r.Context(), r.PathValue("property"), 20))
	})

	signedIn("PATCH /rate-plans/{id}", d.rates.Patch)
	signedIn("POST /rate-plans/import", d.rates.Import)
	signedIn("POST /properties", command[rates.EnsureChannelRules](d.bus, nil))

	open("POST /loyalty/stays", d.loyalty.HandleStay)

	signedIn("POST /reviews", command[reviews.Submit](d.bus, nil))
	signedIn("POST /reviews/{id}/moderation", command(d.bus, func(r *http.Request, c *reviews.Moderate) {
		c.ReviewID, c.Moderator = r.PathValue("id"), principal(r).StaffID
	}))
	open("POST /reviews/{id}/votes", command(d.bus, func(r *http.Request, c *reviews.Vote) { c.ReviewID = r.PathValue("id") }))
	signedIn("GET /moderation/queue", d.reviews.Queue)
	signedIn("GET /admin/reviews/export", d.reviews.Export)
	signedIn("GET /admin/metrics", func(w http.ResponseWriter, r *http.Request) error {
		return reply(w)(d.metrics.Snapshot(), nil)
	})
	return mux
}
