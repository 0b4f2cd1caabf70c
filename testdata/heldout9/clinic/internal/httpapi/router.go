// Package httpapi is the patient portal and staff API.
package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"example.com/clinic/internal/auth"
	"example.com/clinic/internal/bookings"
	"example.com/clinic/internal/export"
	"example.com/clinic/internal/holds"
	"example.com/clinic/internal/kvstore"
	"example.com/clinic/internal/kvstore/cfkv"
	"example.com/clinic/internal/otp"
	"example.com/clinic/internal/repo"
	"example.com/clinic/internal/reqctx"
	"example.com/clinic/internal/waitlist"
)

// PageStat backs the "most visited clinics" widget on the landing page.
type PageStat struct {
	ClinicID string `json:"clinic_id"`
	Views    int    `json:"views"`
}

func (p PageStat) Key() string { return p.ClinicID }

// Deps is everything the handlers need; main fills it in.
type Deps struct {
	Log      *slog.Logger
	Auth     *auth.Service
	OTP      *otp.Service
	Holds    *holds.Service
	Waitlist *waitlist.Service
	Bookings *bookings.Service
	Export   *export.Exporter
	Booking  cfkv.Namespace
	Store    kvstore.Store
	Views    *repo.Repo[PageStat]

	// Touch writes a small marker value; usually Store.Put.
	Touch func(ctx context.Context, key string, val []byte, opts ...kvstore.PutOption) error

	RequestsPerMin int

	// Ops is optional; when set its staff routes are mounted too.
	Ops *Ops
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Handler builds the route table and wraps it in the middleware chain.
func Handler(d *Deps) http.Handler {
	public := map[string]http.HandlerFunc{
		"POST /otp":         d.issueOTP,
		"POST /login":       d.login,
		"POST /refresh":     d.refresh,
		"GET /clinics/{id}": d.clinicPage,
		"GET /healthz":      func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) },
	}
	private := map[string]http.HandlerFunc{
		"POST /logout":           d.logout,
		"POST /holds/{slot}":     d.placeHold,
		"POST /bookings":         d.confirmBooking,
		"POST /draft":            d.addToDraft,
		"POST /waitlist/{svc}":   d.joinWaitlist,
		"GET /waitlist/position": d.waitlistPosition,
	}
	admin := map[string]http.HandlerFunc{
		"GET /admin/bookings":   d.adminBookings,
		"GET /admin/export.csv": d.adminExport,
	}
	mux := http.NewServeMux()
	if d.Ops != nil {
		d.Ops.Mount(mux)
		for pattern, h := range admin {
			mux.Handle(pattern, Chain(h, StaffOnly(d.Ops.Token)))
		}
	}
	for pattern, h := range public {
		mux.Handle(pattern, h)
	}
	for pattern, h := range private {
		mux.Handle(pattern, Chain(h, RequireSession(d.Auth)))
	}
	return Chain(mux, Logging(d.Log), RateLimit(d.Store, d.RequestsPerMin), LastSeen(d.Touch))
}

func (d *Deps) issueOTP(w http.ResponseWriter, r *http.Request) {
	if err := d.OTP.Issue(r.Context(), r.FormValue("phone")); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

func (d *Deps) login(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if err := d.OTP.Verify(ctx, r.FormValue("phone"), r.FormValue("code")); err != nil {
		http.Error(w, "invalid code", http.StatusUnauthorized)
		return
	}
	sess, rt, err := d.Auth.Login(ctx, r.FormValue("patient"), r.FormValue("clinic"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if dev := r.Header.Get("X-Device-Id"); dev != "" {
		d.Auth.RememberDevice(ctx, sess.PatientID, dev)
	}
	http.SetCookie(w, &http.Cookie{Name: "sid", Value: sess.ID, HttpOnly: true, Secure: true, Expires: sess.ExpiresAt})
	writeJSON(w, http.StatusOK, map[string]string{"refresh_token": rt})
}

func (d *Deps) refresh(w http.ResponseWriter, r *http.Request) {
	sess, rt, err := d.Auth.Refresh(r.Context(), r.FormValue("refresh_token"))
	if errors.Is(err, auth.ErrInvalidToken) {
		http.Error(w, "invalid token", http.StatusUnauthorized)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: "sid", Value: sess.ID, HttpOnly: true, Secure: true, Expires: sess.ExpiresAt})
	writeJSON(w, http.StatusOK, map[string]string{"refresh_token": rt})
}

func (d *Deps) logout(w http.ResponseWriter, r *http.Request) {
	if err := d.Auth.Logout(r.Context(), reqctx.Session(r.Context())); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: "sid", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}

func (d *Deps) clinicPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id := r.PathValue("id")
	st, err := d.Views.Get(ctx, id)
	if err != nil && !repo.IsMissing(err) {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	st.ClinicID = id
	st.Views++
	if err := d.Views.Save(ctx, st); err != nil { // EXPECT kvcounter
		d.Log.WarnContext(ctx, "page view not recorded", "clinic", id, "err", err)
	}
	writeJSON(w, http.StatusOK, st)
}

func (d *Deps) placeHold(w http.ResponseWriter, r *http.Request) {
	h, err := d.Holds.Place(r.Context(), r.PathValue("slot"), reqctx.Patient(r.Context()))
	if errors.Is(err, holds.ErrSlotTaken) {
		http.Error(w, "slot taken", http.StatusConflict)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	d.Holds.Enqueue(h)
	writeJSON(w, http.StatusCreated, h)
}

func (d *Deps) confirmBooking(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var b bookings.Booking
	if err := json.NewDecoder(r.Body).Decode(&b); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	b.PatientID, b.ClinicID = reqctx.Patient(ctx), reqctx.Clinic(ctx)
	err := d.Bookings.Confirm(ctx, b, r.URL.Query().Get("deposit") == "paid")
	if errors.Is(err, bookings.ErrDepositRequired) {
		http.Error(w, err.Error(), http.StatusPaymentRequired)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	enc, _ := json.Marshal(b)
	// The front-desk screen polls this to show the newest booking.
	_, err = d.Booking.API.KV.Namespaces.Values.Update(ctx, d.Booking.ID, "bookings:latest", kv.NamespaceValueUpdateParams{AccountID: cloudflare.F(d.Booking.AccountID), Value: cloudflare.F(cfkv.Text(string(enc)))}) // EXPECT kvhotkey
	if err != nil {
		d.Log.WarnContext(ctx, "latest booking marker", "err", err)
	}
	writeJSON(w, http.StatusCreated, b)
}

func (d *Deps) addToDraft(w http.ResponseWriter, r *http.Request) {
	var item bookings.DraftItem
	if err := json.NewDecoder(r.Body).Decode(&item); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	draft, err := d.Bookings.AddToDraft(r.Context(), reqctx.Session(r.Context()), item)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeJSON(w, http.StatusOK, draft)
}

func (d *Deps) joinWaitlist(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	clinic := reqctx.Clinic(ctx)
	ticket, err := d.Waitlist.Join(ctx, clinic, r.PathValue("svc"), reqctx.Patient(ctx))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	// Staff dashboards refresh their waitlist panel when this changes.
	_ = d.Store.Put(ctx, "waitlist:updated-at", []byte(time.Now().UTC().Format(time.RFC3339Nano))) // EXPECT kvhotkey
	writeJSON(w, http.StatusCreated, map[string]int{"ticket": ticket})
}

func (d *Deps) waitlistPosition(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	pos, err := d.Waitlist.Position(ctx, reqctx.Clinic(ctx), reqctx.Patient(ctx))
	if errors.Is(err, waitlist.ErrNotQueued) {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"position": pos})
}

func (d *Deps) adminBookings(w http.ResponseWriter, r *http.Request) {
	names, next, err := d.Export.Recent(r.Context(), r.URL.Query().Get("cursor"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"keys": names, "cursor": next})
}

func (d *Deps) adminExport(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/csv")
	if err := d.Export.WriteCSV(r.Context(), w); err != nil {
		d.Log.ErrorContext(r.Context(), "export failed", "err", err)
	}
}
