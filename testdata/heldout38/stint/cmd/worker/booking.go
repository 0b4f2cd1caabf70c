//go:build js && wasm

package main

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"github.com/harborclinic/stint/internal/booking"
	"github.com/harborclinic/stint/internal/clock"
	"github.com/harborclinic/stint/internal/edgekv"
	"github.com/harborclinic/stint/internal/reminders"
)

const holdLength = 10 * time.Minute

// hold reserves a slot while the patient completes the booking form.
func hold(e *env, w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sess, err := e.portal.Authenticate(ctx, r)
	if err != nil {
		http.Error(w, "sign in first", http.StatusUnauthorized)
		return
	}
	h := booking.Hold{SlotKey: r.FormValue("slot"), PatientID: sess.PatientID, Until: now().Add(holdLength)}
	if _, err := e.avail.Get(h.Key()); err == nil {
		http.Error(w, "slot is being booked by someone else", http.StatusConflict)
		return
	} else if !errors.Is(err, edgekv.ErrNotFound) {
		http.Error(w, "try again", http.StatusBadGateway)
		return
	}
	if err := edgekv.Save(ctx, e.avail, h); err != nil { // EXPECT kvrace
		http.Error(w, "try again", http.StatusBadGateway)
		return
	}
	csrf, err := e.portal.IssueCSRF(ctx, sess)
	if err != nil {
		http.Error(w, "try again", http.StatusBadGateway)
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"hold": h, "csrf": csrf})
}

// confirm turns the patient's hold into an appointment.
func confirm(e *env, w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sess, err := e.portal.Authenticate(ctx, r)
	if err != nil {
		http.Error(w, "sign in first", http.StatusUnauthorized)
		return
	}
	if !e.portal.CheckCSRF(ctx, sess, r.FormValue("csrf")) {
		http.Error(w, "stale form", http.StatusForbidden)
		return
	}
	slotKey := r.FormValue("slot")
	h, err := edgekv.Load[booking.Hold](ctx, e.avail, booking.Hold{SlotKey: slotKey}.Key())
	if err != nil || h.PatientID != sess.PatientID {
		http.Error(w, "hold expired", http.StatusGone)
		return
	}
	slot, err := edgekv.Load[booking.Slot](ctx, e.avail, slotKey)
	if err != nil {
		http.Error(w, "slot not found", http.StatusNotFound)
		return
	}

	appt := booking.Appointment{
		ID:        booking.NewID(),
		PatientID: sess.PatientID,
		SlotKey:   slotKey,
		Start:     slot.Start,
		Status:    "confirmed",
		Created:   now(),
	}
	if err := edgekv.Save(ctx, e.avail, appt); err != nil {
		http.Error(w, "could not book", http.StatusBadGateway)
		return
	}
	slot.Free = false
	if err := edgekv.Save(ctx, e.avail, slot); err != nil { // EXPECT kvrace
		http.Error(w, "could not book", http.StatusBadGateway)
		return
	}
	if err := addToIndex(e.portalKV, sess.PatientID, appt.ID); err != nil {
		http.Error(w, "could not book", http.StatusBadGateway)
		return
	}
	defer func() {
		_ = edgekv.Remove(ctx, e.avail, h)
	}()

	a := reminders.Start(e.remKV)
	defer a.Stop()
	_ = reminders.NewDispatcher(a, clock.System{}).Apply(ctx, []booking.Event{booking.SlotBooked{ID: booking.NewID(), Appointment: appt}})
	_ = json.NewEncoder(w).Encode(appt)
}

// addToIndex records an appointment in the patient's history list.
func addToIndex(s *edgekv.Store, patientID, apptID string) error {
	key := "patient:appts:" + patientID
	var ids []string
	raw, err := s.Get(key)
	if err != nil && !errors.Is(err, edgekv.ErrNotFound) {
		return err
	}
	if err == nil {
		if err := json.Unmarshal([]byte(raw), &ids); err != nil {
			return err
		}
	}
	ids = append(ids, apptID)
	b, err := json.Marshal(ids)
	if err != nil {
		return err
	}
	return s.Put(key, string(b), 0) // EXPECT kvrace
}

// cancel cancels an appointment and leaves a tombstone so that the portal can
// explain what happened.
func cancel(e *env, w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sess, err := e.portal.Authenticate(ctx, r)
	if err != nil {
		http.Error(w, "sign in first", http.StatusUnauthorized)
		return
	}
	appt, err := edgekv.Load[booking.Appointment](ctx, e.avail, booking.Appointment{ID: r.FormValue("appt")}.Key())
	if errors.Is(err, edgekv.ErrNotFound) || (err == nil && appt.PatientID != sess.PatientID) {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	if err != nil {
		http.Error(w, "try again", http.StatusBadGateway)
		return
	}
	reason := r.FormValue("reason")
	notice := &kv.PutOptions{ExpirationTTL: int(15 * time.Minute)} // EXPECT kvttl
	_ = e.avail.Raw().PutString("cancelled:"+appt.ID, reason, notice)

	tomb := &kv.PutOptions{
		Expiration: int(appt.Start.Add(30 * 24 * time.Hour).UnixMilli()), // EXPECT kvttl
	}
	_ = e.avail.Raw().PutString("tombstone:"+appt.ID, "cancelled", tomb)

	keep := &kv.PutOptions{Expiration: int(appt.Start.Add(30 * 24 * time.Hour).Unix())}
	_ = e.portalKV.Raw().PutString("history:"+appt.ID, "cancelled by patient", keep)

	if err := e.avail.Delete(appt.Key()); err != nil {
		http.Error(w, "try again", http.StatusBadGateway)
		return
	}
	a := reminders.Start(e.remKV)
	defer a.Stop()
	_ = a.Delete(ctx, booking.Reminder{AppointmentID: appt.ID}.Key())
	_ = reminders.NewDispatcher(a, clock.System{}).Apply(ctx, []booking.Event{
		booking.SlotReleased{ID: booking.NewID(), SlotKey: appt.SlotKey, Reason: "patient"},
	})
	w.WriteHeader(http.StatusNoContent)
}

func waitlist(e *env, w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sess, err := e.portal.Authenticate(ctx, r)
	if err != nil {
		http.Error(w, "sign in first", http.StatusUnauthorized)
		return
	}
	a := reminders.Start(e.remKV)
	defer a.Stop()
	if err := reminders.NewDispatcher(a, clock.System{}).JoinWaitlist(ctx, r.FormValue("slot"), sess.PatientID); err != nil {
		http.Error(w, "try again", http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
