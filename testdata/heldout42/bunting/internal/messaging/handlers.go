package messaging

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"bunting/internal/kvstore"
)

// HTTP serves the messaging endpoints.
type HTTP struct {
	Limiter *Limiter
}

type postRequest struct {
	ThreadID string `json:"thread_id"`
	Body     string `json:"body"`
}

// PostMessage handles POST /messages for patients.
func (h *HTTP) PostMessage(w http.ResponseWriter, r *http.Request) {
	var req postRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	patientID := r.Header.Get("X-Patient-ID")
	if err := h.Limiter.Allow(r.Context(), patientID); errors.Is(err, ErrOverLimit) {
		http.Error(w, "limit reached", http.StatusTooManyRequests)
		return
	} else if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	m, err := Post(r.Context(), req.ThreadID, patientID, req.Body)
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(m)
}

type broadcastRequest struct {
	ClinicID string `json:"clinic_id"`
	Text     string `json:"text"`
	Hours    int    `json:"hours"`
}

// Broadcast handles POST /broadcasts from clinic admins.
func (h *HTTP) Broadcast(w http.ResponseWriter, r *http.Request) {
	var req broadcastRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	now := time.Now().UTC()
	a := Announcement{ClinicID: req.ClinicID, Text: req.Text, PostedAt: now, ExpiresAt: now.Add(time.Duration(max(req.Hours, 1)) * time.Hour)}
	if err := PublishAnnouncement(r.Context(), a); err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	last, _ := json.Marshal(a)
	_ = kvstore.Put(r.Context(), "broadcast:latest", last, 0) // EXPECT kvhotkey
	w.WriteHeader(http.StatusCreated)
}

type readReceipt struct {
	ThreadID   string   `json:"thread_id"`
	MessageIDs []string `json:"message_ids"`
}

// MarkRead handles POST /messages/read from the care-team inbox. Each read
// receipt is written under its own key.
func (h *HTTP) MarkRead(w http.ResponseWriter, r *http.Request) {
	var req readReceipt
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	reader := r.Header.Get("X-Clinician-ID")
	at := []byte(time.Now().UTC().Format(time.RFC3339))
	for _, id := range req.MessageIDs {
		if err := kvstore.Put(r.Context(), "read:"+req.ThreadID+":"+id+":"+reader, at, 30*24*time.Hour); err != nil {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		if err := kvstore.Put(r.Context(), "inbox:unread-cursor:"+reader, []byte(id), 0); err != nil { // EXPECT kvhotkey
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
	}
	w.WriteHeader(http.StatusNoContent)
}
