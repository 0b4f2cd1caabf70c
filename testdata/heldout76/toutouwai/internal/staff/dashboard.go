// Package staff is the back office: the polling dashboard, service rows
// edited inline, and business settings.
package staff

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/toutouwai/booking/internal/auth"
	"github.com/toutouwai/booking/internal/booking"
	"github.com/toutouwai/booking/internal/flash"
	"github.com/toutouwai/booking/internal/kvstore"
	"github.com/toutouwai/booking/internal/ui"
)

// Handlers serves the staff pages.
type Handlers struct {
	NS       *kvstore.Namespace
	Sessions *auth.Manager

	views atomic.Int64
}

// Register adds the staff routes.
func (h *Handlers) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /staff", h.dashboard)
	mux.HandleFunc("GET /staff/counters", h.counters)
	mux.HandleFunc("GET /staff/services", h.services)
	mux.HandleFunc("GET /staff/services/{id}", h.serviceRow)
	mux.HandleFunc("GET /staff/services/{id}/edit", h.serviceEdit)
	mux.HandleFunc("PUT /staff/services/{id}", h.serviceSave)
	mux.HandleFunc("DELETE /staff/services/{id}", h.serviceArchive)
	mux.HandleFunc("GET /staff/settings", h.settings)
	mux.HandleFunc("POST /staff/settings/slug", h.claimSlug)
	mux.HandleFunc("POST /staff/password", h.passwordChanged)
}

func (h *Handlers) staff(w http.ResponseWriter, r *http.Request) (*auth.Session, bool) {
	s, err := h.Sessions.Current(r)
	if err != nil || !s.Staff {
		ui.Redirect(w, r, "/login?next="+r.URL.Path)
		return nil, false
	}
	return s, true
}

// Stats are a day's figures, rebuilt by the stats job.
type Stats struct {
	Date     string    `json:"date"`
	Slots    int       `json:"slots"`
	Booked   int       `json:"booked"`
	Free     int       `json:"free"`
	Built    time.Time `json:"built"`
	Services map[string]int
}

func statsKey(date string) string { return "stats:" + date }

// loadStats is the counters component's data loader.
func loadStats(ctx context.Context, ns *kvstore.Namespace, date string) (Stats, error) {
	var st Stats
	err := ns.GetJSON(ctx, statsKey(date), &st)
	if errors.Is(err, kvstore.ErrNotFound) {
		return Stats{Date: date}, nil
	}
	return st, err
}

// Counters renders today's figures; the dashboard polls it.
func Counters(ns *kvstore.Namespace, date string) ui.Component {
	return ui.Func(func(ctx context.Context, w io.Writer) error {
		st, err := loadStats(ctx, ns, date)
		if err != nil {
			return ui.Raw(`<div class="counters stale">figures unavailable</div>`).Render(ctx, w)
		}
		return ui.Rawf(`<div class="counters" hx-get="/staff/counters" hx-trigger="every 2s" hx-swap="outerHTML">`+
			`<b>%d</b> slots · <b>%d</b> booked · <b>%d</b> free <small>as of %s</small></div>`,
			st.Slots, st.Booked, st.Free, st.Built.Format("15:04:05")).Render(ctx, w)
	})
}

func (h *Handlers) dashboard(w http.ResponseWriter, r *http.Request) {
	s, ok := h.staff(w, r)
	if !ok {
		return
	}
	h.views.Add(1)
	today := time.Now().Format(booking.DateLayout)
	ui.Serve(w, r, http.StatusOK, "Dashboard", flash.List(h.NS, s.ID), ui.Group(
		ui.Rawf(`<h1>Today, %s</h1>`, today),
		Counters(h.NS, today),
		ui.Raw(`<div hx-get="/staff/services" hx-trigger="load"></div>`),
	))
}

func (h *Handlers) counters(w http.ResponseWriter, r *http.Request) {
	s, ok := h.staff(w, r)
	if !ok {
		return
	}
	stamp, _ := json.Marshal(map[string]any{"by": s.Email, "at": time.Now().Unix()})
	if err := h.NS.Put(r.Context(), "dashboard:last-poll", stamp); err != nil { // EXPECT kvhotkey
		log.Printf("last poll: %v", err)
	}
	ui.Fragment(w, r, Counters(h.NS, time.Now().Format(booking.DateLayout)))
}

// RebuildStats recomputes the figures for the given days from list
// metadata. The cron job calls it every five minutes.
func (h *Handlers) RebuildStats(ctx context.Context, days []string) error {
	week := Stats{Date: "week", Services: map[string]int{}}
	for _, date := range days {
		slots, err := booking.Day(ctx, h.NS, date)
		if err != nil {
			return err
		}
		st := Stats{Date: date, Slots: len(slots), Built: time.Now(), Services: map[string]int{}}
		for _, s := range slots {
			st.Free += s.Remaining
			st.Services[s.Service]++
		}
		b, err := json.Marshal(st)
		if err != nil {
			return err
		}
		if err := h.NS.PutTTL(ctx, statsKey(date), b, 36*time.Hour); err != nil {
			return err
		}
		week.Slots += st.Slots
		week.Free += st.Free
		week.Built = st.Built
		wb, _ := json.Marshal(week)
		if err := h.NS.Put(ctx, statsKey("week"), wb); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	n := h.views.Load()
	return h.NS.Put(ctx, "count:dashboard-views", []byte(strconv.FormatInt(n, 10))) // EXPECT kvcounter
}
