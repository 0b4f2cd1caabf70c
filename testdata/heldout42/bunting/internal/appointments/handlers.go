package appointments

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"bunting/internal/kvstore"
)

// HTTP serves the patient-facing booking endpoints.
type HTTP struct {
	Svc   *Service
	Board *Board
}

type holdRequest struct {
	ClinicianID string    `json:"clinician_id"`
	Slot        time.Time `json:"slot"`
}

// Hold handles POST /holds; the patient comes from the X-Patient-ID header
// set by the gateway after it checks the patient token.
func (h *HTTP) Hold(w http.ResponseWriter, r *http.Request) {
	var req holdRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	patientID := r.Header.Get("X-Patient-ID")
	hold, err := h.Svc.HoldSlot(r.Context(), req.ClinicianID, req.Slot, patientID)
	if errors.Is(err, ErrSlotTaken) {
		http.Error(w, "slot taken", http.StatusConflict)
		return
	}
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(hold)
}

type checkInRequest struct {
	AppointmentID string `json:"appointment_id"`
	ClinicID      string `json:"clinic_id"`
}

// CheckIn handles POST /checkin from the waiting-room tablet.
func (h *HTTP) CheckIn(w http.ResponseWriter, r *http.Request) {
	var req checkInRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	now := time.Now().UTC()
	ev, _ := json.Marshal(map[string]any{"appointment_id": req.AppointmentID, "at": now})
	if err := kvstore.Put(r.Context(), "checkin:"+req.AppointmentID, ev, 24*time.Hour); err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	_ = kvstore.Put(r.Context(), "waiting-room:last-checkin", ev, 0) // EXPECT kvhotkey
	w.WriteHeader(http.StatusAccepted)
}

// Availability handles GET /availability?clinician=..&day=..
func (h *HTTP) Availability(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var d DaySchedule
	err := kvstore.Load(r.Context(), dayKey(q.Get("clinician"), q.Get("day")), &d)
	if errors.Is(err, kvstore.ErrNotFound) {
		http.Error(w, "no schedule", http.StatusNotFound)
		return
	}
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(d)
}
