package booking

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/toutouwai/booking/internal/auth"
	"github.com/toutouwai/booking/internal/csrf"
	"github.com/toutouwai/booking/internal/flash"
	"github.com/toutouwai/booking/internal/form"
	"github.com/toutouwai/booking/internal/kvstore"
	"github.com/toutouwai/booking/internal/reminders"
	"github.com/toutouwai/booking/internal/ui"
)

// DailyBookingLimit is how many slots one address may book per day.
const DailyBookingLimit = 3

// Handlers serves the public booking pages.
type Handlers struct {
	NS       *kvstore.Namespace
	Sessions *auth.Manager
}

// Register adds the routes to mux.
func (h *Handlers) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /book/{date}", h.day)
	mux.HandleFunc("GET /book/{date}/{id}/availability", h.availability)
	mux.HandleFunc("GET /book/{date}/{id}/form", h.form)
	mux.HandleFunc("POST /book/{date}/{id}", h.book)
	mux.HandleFunc("POST /book/{date}/{id}/waitlist", h.waitlist)
}

// BookForm is the booking form post.
type BookForm struct {
	Name    string `schema:"name" validate:"required,max=80"`
	Email   string `schema:"email" validate:"required,email"`
	Phone   string `schema:"phone" validate:"max=30"`
	Notes   string `schema:"notes" validate:"max=500"`
	Consent bool   `schema:"consent"`
}

func (h *Handlers) sid(r *http.Request) string {
	if s, err := h.Sessions.Current(r); err == nil {
		return s.ID
	}
	if c, err := r.Cookie("tw_anon"); err == nil {
		return "anon-" + c.Value
	}
	return ""
}

func validDate(date string) bool {
	_, err := time.Parse(DateLayout, date)
	return err == nil
}

func (h *Handlers) day(w http.ResponseWriter, r *http.Request) {
	date := r.PathValue("date")
	if !validDate(date) {
		http.NotFound(w, r)
		return
	}
	slots, err := Day(r.Context(), h.NS, date)
	if err != nil {
		http.Error(w, "could not load the day", http.StatusBadGateway)
		return
	}
	ui.Serve(w, r, http.StatusOK, "Book for "+date, flash.List(h.NS, h.sid(r)), dayView(date, slots))
}

func dayView(date string, slots []Summary) ui.Component {
	items := make([]ui.Component, 0, len(slots))
	for _, s := range slots {
		id := s.Key[strings.LastIndexByte(s.Key, ':')+1:]
		items = append(items, ui.Tag("li", `class="slot"`,
			ui.Rawf(`<span class="time">%s</span> <span class="svc">%s</span> `, s.Start.Format("15:04"), s.Service),
			ui.Rawf(`<span hx-get="/book/%s/%s/availability" hx-trigger="every 2s" hx-swap="innerHTML">%d left</span> `,
				date, id, s.Remaining),
			ui.Rawf(`<button hx-get="/book/%s/%s/form" hx-target="#booking-form">Book</button>`, date, id),
		))
	}
	return ui.Group(
		ui.Rawf(`<h1>%s</h1>`, date),
		ui.Tag("ul", `class="slots"`, items...),
		ui.Raw(`<div id="booking-form"></div>`),
	)
}

// availability is polled by every open day page every two seconds.
func (h *Handlers) availability(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	date, id := r.PathValue("date"), r.PathValue("id")
	cacheKey := "frag:avail:" + date + ":" + id
	if frag, err := h.NS.Get(ctx, cacheKey); err == nil {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(frag)
		return
	}
	m, err := h.NS.Metadata(ctx, Key(date, id))
	if err != nil {
		http.Error(w, "", http.StatusNotFound)
		return
	}
	left, _ := m["remaining"].(float64)
	frag := fmt.Sprintf("%d left", int(left))
	if left == 0 {
		frag = `Full · <a hx-post="/book/` + date + "/" + id + `/waitlist">join the waitlist</a>`
	}
	if err := h.NS.PutCache(ctx, cacheKey, []byte(frag), 5*time.Second); err != nil {
		log.Printf("availability cache %s: %v", cacheKey, err)
	}
	io.WriteString(w, frag)
}

func (h *Handlers) form(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	date, id := r.PathValue("date"), r.PathValue("id")
	s, err := Load(ctx, h.NS, date, id)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	sid := h.sid(r)
	if sid != "" {
		if err := Hold(ctx, h.NS, s, sid); errors.Is(err, ErrHeld) {
			ui.Fragment(w, r, ui.Raw(`<p class="notice">Someone is booking this slot right now. Try again in a few minutes.</p>`))
			return
		}
	}
	ui.Fragment(w, r, bookFormView(h.NS, sid, s, BookForm{}, nil))
}

func bookFormView(ns *kvstore.Namespace, sid string, s Slot, f BookForm, errs form.Errors) ui.Component {
	field := func(name, label, value, typ string) ui.Component {
		c := ui.Rawf(`<label>%s <input name="%s" type="%s" value="%s"></label>`, label, name, typ, value)
		if msg, ok := errs[name]; ok {
			return ui.Group(c, ui.Rawf(`<small class="err">%s %s</small>`, label, msg))
		}
		return c
	}
	date := s.Start.Format(DateLayout)
	return ui.Tag("form", fmt.Sprintf(`hx-post="/book/%s/%s" hx-target="this" hx-swap="outerHTML"`, date, s.ID),
		csrf.Field(ns, sid, "book"),
		field("name", "Name", f.Name, "text"),
		field("email", "Email", f.Email, "email"),
		field("phone", "Phone", f.Phone, "tel"),
		ui.Rawf(`<textarea name="notes">%s</textarea>`, f.Notes),
		ui.Raw(`<button>Confirm booking</button>`),
	)
}

func (h *Handlers) book(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	date, id := r.PathValue("date"), r.PathValue("id")
	sid := h.sid(r)
	var f BookForm
	if err := form.Decode(r, &f); err != nil {
		var errs form.Errors
		if !errors.As(err, &errs) {
			http.Error(w, "bad form", http.StatusBadRequest)
			return
		}
		s, _ := Load(ctx, h.NS, date, id)
		w.WriteHeader(http.StatusUnprocessableEntity)
		ui.Fragment(w, r, bookFormView(h.NS, sid, s, f, errs))
		return
	}
	if err := csrf.Check(r, h.NS, sid, "book"); err != nil {
		http.Error(w, "This form has expired. Reload the page.", http.StatusForbidden)
		return
	}
	if err := h.countBooking(ctx, f.Email, date); err != nil {
		ui.Fragment(w, r, ui.Rawf(`<p class="notice">%s</p>`, err.Error()))
		return
	}
	b := Booking{Ref: strings.ToUpper(auth.NewID()[:8]), Name: f.Name, Email: f.Email, Phone: f.Phone, Notes: f.Notes, Created: time.Now()}
	s, err := Book(ctx, h.NS, date, id, b)
	switch {
	case errors.Is(err, ErrFull):
		ui.Fragment(w, r, ui.Rawf(`<p class="notice">That slot just filled up. <a hx-post="/book/%s/%s/waitlist">Join the waitlist?</a></p>`, date, id))
		return
	case err != nil:
		http.Error(w, "booking failed", http.StatusBadGateway)
		return
	}
	if err := reminders.Schedule(ctx, h.NS, reminders.Reminder{
		Ref: b.Ref, Email: b.Email, Service: s.Service, Start: s.Start,
	}); err != nil {
		log.Printf("reminder for %s: %v", b.Ref, err)
	}
	_ = flash.Set(ctx, h.NS, sid, flash.Message{Kind: flash.Success, Text: "Booked! Your reference is " + b.Ref})
	ui.Trigger(w, map[string]any{"slotBooked": map[string]string{"date": date, "id": id}})
	ui.Redirect(w, r, "/book/"+date)
}

func (h *Handlers) countBooking(ctx context.Context, email, date string) error {
	k := "quota:" + strings.ToLower(email) + ":" + date
	raw, err := h.NS.Get(ctx, k)
	if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	used, _ := strconv.Atoi(string(raw))
	if used >= DailyBookingLimit {
		return fmt.Errorf("you can book at most %d slots a day", DailyBookingLimit)
	}
	return h.NS.PutTTL(ctx, k, []byte(strconv.Itoa(used+1)), 48*time.Hour) // EXPECT kvcounter|kvrace
}

func (h *Handlers) waitlist(w http.ResponseWriter, r *http.Request) {
	date, id := r.PathValue("date"), r.PathValue("id")
	s, err := h.Sessions.Current(r)
	if err != nil {
		ui.Redirect(w, r, "/login?next=/book/"+date)
		return
	}
	ctx := context.WithoutCancel(r.Context())
	go func() {
		pos, err := JoinWaitlist(ctx, h.NS, date, id, s.Email)
		if err != nil {
			log.Printf("waitlist %s/%s: %v", date, id, err)
			return
		}
		_ = flash.Add(ctx, h.NS, s.ID, flash.Message{Kind: flash.Info, Text: fmt.Sprintf("You are number %d on the waitlist.", pos)})
	}()
	ui.Trigger(w, map[string]any{"waitlistJoined": id})
	ui.Fragment(w, r, ui.Raw(`<span class="badge">On the waitlist</span>`))
}
