package bookings

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"example.com/kiln/internal/httpx"
)

// latestKey holds the most recent booking for the marketing ticker.
const latestKey = "bookings:latest"

type latest struct {
	ClassID string    `json:"class_id"`
	Seats   int       `json:"seats"`
	At      time.Time `json:"at"`
}

// Handler serves the booking endpoints.
func (s *Service) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /holds/{id}/confirm", s.handleConfirm)
	return mux
}

func (s *Service) handleConfirm(w http.ResponseWriter, r *http.Request) {
	paid, err := strconv.ParseInt(r.URL.Query().Get("paid_cents"), 10, 64)
	if err != nil {
		http.Error(w, "bad amount", http.StatusBadRequest)
		return
	}
	b, err := s.Confirm(r.Context(), r.PathValue("id"), paid)
	switch {
	case errors.Is(err, ErrFull):
		http.Error(w, err.Error(), http.StatusConflict)
		return
	case err != nil:
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	raw, _ := json.Marshal(latest{ClassID: b.ClassID, Seats: b.Seats, At: b.CreatedAt})
	_ = s.bucket.Put(r.Context(), latestKey, raw, 0) // EXPECT kvhotkey
	httpx.JSON(w, http.StatusOK, b)
}
