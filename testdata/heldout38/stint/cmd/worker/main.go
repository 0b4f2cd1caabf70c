//go:build js && wasm

// Command worker is the edge Worker: availability pages, the patient portal,
// booking, and the reminder cron.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"

	"github.com/harborclinic/stint/internal/availability"
	"github.com/harborclinic/stint/internal/booking"
	"github.com/harborclinic/stint/internal/clock"
	"github.com/harborclinic/stint/internal/edgekv"
	"github.com/harborclinic/stint/internal/portal"
	"github.com/harborclinic/stint/internal/reminders"
)

var now = time.Now

// env is everything a request needs, bound per request.
type env struct {
	avail    *edgekv.Store
	portalKV *edgekv.Store
	remKV    *edgekv.Store
	server   *availability.Server
	portal   *portal.Service
}

func bind() (*env, error) {
	avail, err := edgekv.Availability.Open()
	if err != nil {
		return nil, err
	}
	pkv, err := edgekv.Portal.Open()
	if err != nil {
		return nil, err
	}
	rkv, err := edgekv.Reminders.Open()
	if err != nil {
		return nil, err
	}
	sys := clock.System{}
	return &env{
		avail:    avail,
		portalKV: pkv,
		remKV:    rkv,
		server:   availability.New(avail, sys, cloudflare.Getenv("CALENDAR_URL")),
		portal:   portal.New(pkv, sys, gateway{url: cloudflare.Getenv("SMS_GATEWAY_URL")}, cloudflare.Getenv("OTP_PEPPER")),
	}, nil
}

func withEnv(h func(e *env, w http.ResponseWriter, r *http.Request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		e, err := bind()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		h(e, w, r)
	}
}

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("/availability", withEnv(func(e *env, w http.ResponseWriter, r *http.Request) { e.server.Day(w, r) }))
	mux.HandleFunc("/availability/today", withEnv(func(e *env, w http.ResponseWriter, r *http.Request) { e.server.Today(w, r) }))
	mux.HandleFunc("/availability/week", withEnv(func(e *env, w http.ResponseWriter, r *http.Request) { e.server.Week(w, r) }))
	mux.HandleFunc("/availability/days", withEnv(func(e *env, w http.ResponseWriter, r *http.Request) { e.server.Days(w, r) }))
	mux.HandleFunc("/doctors", withEnv(func(e *env, w http.ResponseWriter, r *http.Request) { e.server.Doctors(w, r) }))
	mux.HandleFunc("/doctor", withEnv(func(e *env, w http.ResponseWriter, r *http.Request) { e.server.Doctor(w, r) }))
	mux.HandleFunc("/clinic", withEnv(func(e *env, w http.ResponseWriter, r *http.Request) { e.server.Clinic(w, r) }))
	mux.HandleFunc("/admin/slots", withEnv(func(e *env, w http.ResponseWriter, r *http.Request) { e.server.Page(w, r) }))
	mux.HandleFunc("/admin/holds", withEnv(func(e *env, w http.ResponseWriter, r *http.Request) { e.server.Export(w, r) }))
	mux.HandleFunc("/portal/login", withEnv(login))
	mux.HandleFunc("/portal/verify", withEnv(verify))
	mux.HandleFunc("/portal/logout", withEnv(logout))
	mux.HandleFunc("/portal/phone", withEnv(changePhone))
	mux.HandleFunc("/book/hold", withEnv(hold))
	mux.HandleFunc("/book/confirm", withEnv(confirm))
	mux.HandleFunc("/book/cancel", withEnv(cancel))
	mux.HandleFunc("/book/waitlist", withEnv(waitlist))
	mux.HandleFunc("/hooks/events", withEnv(events))
	mux.HandleFunc("/healthz", withEnv(health))

	cron.ScheduleTaskNonBlock(scheduled)
	workers.Serve(mux)
}

func login(e *env, w http.ResponseWriter, r *http.Request) {
	phone := normalizePhone(r.FormValue("phone"))
	if phone == "" {
		http.Error(w, "phone required", http.StatusBadRequest)
		return
	}
	id, err := e.portal.StartLogin(r.Context(), phone)
	if errors.Is(err, portal.ErrTooManyAttempts) {
		http.Error(w, "try again later", http.StatusTooManyRequests)
		return
	}
	if err != nil {
		http.Error(w, "could not send code", http.StatusBadGateway)
		return
	}
	_ = e.portal.NoteCodeSent(id, phone)
	_ = json.NewEncoder(w).Encode(map[string]string{"challenge": id})
}

func verify(e *env, w http.ResponseWriter, r *http.Request) {
	sess, err := e.portal.Verify(r.Context(), r.FormValue("challenge"), r.FormValue("code"))
	switch {
	case errors.Is(err, portal.ErrBadCode), errors.Is(err, portal.ErrExpired):
		http.Error(w, "invalid code", http.StatusUnauthorized)
		return
	case errors.Is(err, portal.ErrTooManyAttempts):
		http.Error(w, "too many attempts", http.StatusTooManyRequests)
		return
	case err != nil:
		http.Error(w, "sign-in failed", http.StatusBadGateway)
		return
	}
	http.SetCookie(w, portal.Cookie(sess))
	http.Redirect(w, r, "/portal/", http.StatusSeeOther)
}

func logout(e *env, w http.ResponseWriter, r *http.Request) {
	sess, err := e.portal.Authenticate(r.Context(), r)
	if err == nil {
		_ = e.portal.Logout(r.Context(), sess)
	}
	http.SetCookie(w, &http.Cookie{Name: "hc_portal", Value: "", Path: "/portal", MaxAge: -1})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func changePhone(e *env, w http.ResponseWriter, r *http.Request) {
	sess, err := e.portal.Authenticate(r.Context(), r)
	if err != nil {
		http.Error(w, "sign in first", http.StatusUnauthorized)
		return
	}
	if !e.portal.CheckCSRF(r.Context(), sess, r.FormValue("csrf")) {
		http.Error(w, "stale form", http.StatusForbidden)
		return
	}
	if err := e.portal.RevokeAll(r.Context(), sess.PatientID); err != nil {
		http.Error(w, "could not sign out other devices", http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func health(e *env, w http.ResponseWriter, r *http.Request) {
	if err := e.avail.Put("health:last-check", now().UTC().Format(time.RFC3339), 0); err != nil { // EXPECT kvhotkey
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	_, _ = w.Write([]byte("ok"))
}

func normalizePhone(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r == '+' && b.Len() == 0 || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

type gateway struct{ url string }

func (g gateway) Send(ctx context.Context, phone, text string) error {
	form := url.Values{"to": {phone}, "body": {text}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.url, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("sms gateway: %s", resp.Status)
	}
	return nil
}

func events(e *env, w http.ResponseWriter, r *http.Request) {
	var in []struct {
		Type string          `json:"type"`
		ID   string          `json:"id"`
		Data json.RawMessage `json:"data"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	batch := make([]booking.Event, 0, len(in))
	for _, raw := range in {
		ev, err := decodeEvent(raw.Type, raw.ID, raw.Data)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if ev != nil {
			batch = append(batch, ev)
		}
	}
	a := reminders.Start(e.remKV)
	defer a.Stop()
	if err := reminders.NewDispatcher(a, clock.System{}).Apply(r.Context(), batch); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

func decodeEvent(typ, id string, data json.RawMessage) (booking.Event, error) {
	switch typ {
	case "slot.booked":
		return decodeInto(data, &booking.SlotBooked{ID: id})
	case "slot.released":
		return decodeInto(data, &booking.SlotReleased{ID: id})
	case "reminder.sent":
		return decodeInto(data, &booking.ReminderSent{ID: id})
	case "patient.opted_out":
		return decodeInto(data, &booking.PatientOptedOut{ID: id})
	case "roster.changed":
		return decodeInto(data, &booking.RosterChanged{ID: id})
	}
	return nil, nil
}

func decodeInto[T booking.Event](data json.RawMessage, x *T) (booking.Event, error) {
	if err := json.Unmarshal(data, x); err != nil {
		return nil, err
	}
	return *x, nil
}
