package main

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/mojocn/base64Captcha"

	"github.com/cityofpitta/pitta/internal/booking"
	"github.com/cityofpitta/pitta/internal/citizen"
	"github.com/cityofpitta/pitta/internal/kvstore"
	"github.com/cityofpitta/pitta/internal/offices"
)

// privacyNoticeEN is the source text of the privacy notice shown under the
// booking form; translations are cached in KV keyed by the source text so
// that an edited notice is translated afresh.
const privacyNoticeEN = "We process the personal data you enter in this form (name, date of birth, e-mail address and, " +
	"where required for the service you book, your identity card number) only to schedule and carry out your appointment. " +
	"The legal basis is Article 6(1)(e) GDPR in conjunction with the municipal services act. Your data is stored until thirty days " +
	"after your appointment and then deleted, unless a longer retention period is required by law for the service concerned. " +
	"You have the right to access, rectification, erasure and restriction of processing, and the right to lodge a complaint " +
	"with the data protection supervisory authority. Contact our data protection officer at privacy@pitta.example."

type api struct {
	ns      *kvstore.Namespace
	board   *booking.Board
	svc     *booking.Service
	offices *offices.Store
	login   *citizen.Login
	captcha *base64Captcha.Captcha
	log     *slog.Logger
}

func (a *api) routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /availability/{office}/{date}", a.availability)
	mux.HandleFunc("GET /captcha", a.newCaptcha)
	mux.HandleFunc("POST /bookings/hold", a.hold)
	mux.HandleFunc("POST /bookings", a.book)
	mux.HandleFunc("GET /bookings", a.mine)
	mux.HandleFunc("POST /cancel/{token}", a.cancel)
	mux.HandleFunc("GET /privacy", a.privacy)
}

func (a *api) availability(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	office, date := r.PathValue("office"), r.PathValue("date")
	day, err := a.board.Day(ctx, office, date)
	if errors.Is(err, booking.ErrNoSchedule) {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	if err != nil {
		a.fail(w, err)
		return
	}
	a.countView(r, office)
	writeJSON(w, day)
}

// countView keeps the per-office page view figure shown in the console.
func (a *api) countView(r *http.Request, office string) {
	ctx := r.Context()
	key := "views:availability:" + office
	n := 0
	raw, err := a.ns.Get(ctx, key)
	switch {
	case errors.Is(err, kvstore.ErrNotFound):
	case err != nil:
		a.log.Warn("views", "err", err)
		return
	default:
		n, _ = strconv.Atoi(string(raw))
	}
	if err := a.ns.Put(ctx, key, []byte(strconv.Itoa(n+1)), 0); err != nil { // EXPECT kvrace|kvcounter
		a.log.Warn("views", "err", err)
	}
}

func (a *api) newCaptcha(w http.ResponseWriter, r *http.Request) {
	id, b64, _, err := a.captcha.Generate()
	if err != nil {
		a.fail(w, err)
		return
	}
	writeJSON(w, map[string]string{"id": id, "image": b64})
}

type bookingForm struct {
	Office    string    `json:"office"`
	Date      string    `json:"date"`
	Start     time.Time `json:"start"`
	Service   string    `json:"service"`
	CaptchaID string    `json:"captcha_id"`
	Answer    string    `json:"captcha_answer"`
}

func (a *api) form(w http.ResponseWriter, r *http.Request) (booking.Request, bool) {
	citizenID := a.login.CitizenID(r)
	if citizenID == "" {
		http.Error(w, "sign in first", http.StatusUnauthorized)
		return booking.Request{}, false
	}
	var f bookingForm
	if err := json.NewDecoder(r.Body).Decode(&f); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return booking.Request{}, false
	}
	if !a.captcha.Verify(f.CaptchaID, f.Answer, true) {
		http.Error(w, "captcha answer does not match", http.StatusForbidden)
		return booking.Request{}, false
	}
	return booking.Request{CitizenID: citizenID, Office: f.Office, Date: f.Date, Start: f.Start, Service: f.Service}, true
}

func (a *api) hold(w http.ResponseWriter, r *http.Request) {
	req, ok := a.form(w, r)
	if !ok {
		return
	}
	switch err := a.svc.Hold(r.Context(), req); {
	case errors.Is(err, booking.ErrSlotHeld):
		http.Error(w, err.Error(), http.StatusConflict)
	case err != nil:
		a.fail(w, err)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

func (a *api) book(w http.ResponseWriter, r *http.Request) {
	req, ok := a.form(w, r)
	if !ok {
		return
	}
	conf, err := a.svc.Book(r.Context(), req)
	switch {
	case errors.Is(err, booking.ErrSlotFull), errors.Is(err, booking.ErrNoSuchSlot):
		http.Error(w, err.Error(), http.StatusConflict)
	case errors.Is(err, booking.ErrLimitHit):
		http.Error(w, err.Error(), http.StatusTooManyRequests)
	case err != nil:
		a.fail(w, err)
	default:
		w.WriteHeader(http.StatusCreated)
		writeJSON(w, conf)
	}
}

func (a *api) mine(w http.ResponseWriter, r *http.Request) {
	id := a.login.CitizenID(r)
	if id == "" {
		http.Error(w, "sign in first", http.StatusUnauthorized)
		return
	}
	list, err := a.svc.Mine(r.Context(), id)
	if err != nil {
		a.fail(w, err)
		return
	}
	writeJSON(w, list)
}

func (a *api) cancel(w http.ResponseWriter, r *http.Request) {
	b, err := a.svc.Cancel(r.Context(), r.PathValue("token"))
	if errors.Is(err, booking.ErrLinkExpired) {
		http.Error(w, err.Error(), http.StatusGone)
		return
	}
	if err != nil {
		a.fail(w, err)
		return
	}
	writeJSON(w, b)
}

// privacy returns the privacy notice in the requested language, using the
// translation service on a cache miss.
func (a *api) privacy(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	lang := r.URL.Query().Get("lang")
	if lang == "" || lang == "en" {
		_, _ = w.Write([]byte(privacyNoticeEN))
		return
	}
	key := "i18n:" + lang + ":" + privacyNoticeEN // EXPECT kvlimits
	if raw, err := a.ns.Get(ctx, key); err == nil {
		_, _ = w.Write(raw)
		return
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		a.fail(w, err)
		return
	}
	text, err := translate(ctx, lang, privacyNoticeEN)
	if err != nil {
		a.fail(w, err)
		return
	}
	if err := a.ns.Put(ctx, key, []byte(text), 7*24*time.Hour); err != nil {
		a.log.Warn("cache translation", "err", err)
	}
	_, _ = w.Write([]byte(text))
}

func (a *api) fail(w http.ResponseWriter, err error) {
	a.log.Error("api", "err", err)
	http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
