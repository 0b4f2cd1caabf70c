package httpapi

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"example.com/saffron/internal/giftcard"
	"example.com/saffron/internal/keys"
	"example.com/saffron/internal/reservation"
	"example.com/saffron/internal/reviews"
	"example.com/saffron/internal/store"
	"example.com/saffron/internal/waitlist"
)

// staffSession mirrors the record written by the staff login flow.
type staffSession struct {
	ID         string    `json:"id"`
	StaffID    string    `json:"staff_id"`
	Role       string    `json:"role"`
	Restaurant string    `json:"restaurant"`
	CreatedAt  time.Time `json:"created_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	LastSeen   time.Time `json:"last_seen"`
}

// staff authenticates the request and keeps the session alive while the
// member is active.
func (a *API) staff(next func(http.ResponseWriter, *http.Request, staffSession)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie("saffron_staff")
		if err != nil {
			http.Error(w, "sign in required", http.StatusUnauthorized)
			return
		}
		key := keys.StaffSession(c.Value)
		s, found, err := store.GetJSON[staffSession](r.Context(), a.Sessions, key)
		if err != nil {
			fail(w, err)
			return
		}
		if _, err := a.Sessions.Get(r.Context(), "staff-revoked:"+c.Value); !errors.Is(err, store.ErrNotFound) {
			found = false
		}
		if !found || now().After(s.ExpiresAt) {
			http.Error(w, "session expired", http.StatusUnauthorized)
			return
		}
		ttl := a.Config().SessionTTL
		s.LastSeen, s.ExpiresAt = now().UTC(), now().Add(ttl).UTC()
		if err := store.PutJSON(r.Context(), a.Sessions, key, s, store.SecondsOf(ttl)); err != nil { // EXPECT kvsession
			fail(w, err)
			return
		}
		next(w, r, s)
	}
}

func decode[T any](w http.ResponseWriter, r *http.Request) (T, bool) {
	var v T
	dec := json.NewDecoder(io.LimitReader(r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		http.Error(w, "invalid JSON: "+err.Error(), http.StatusBadRequest)
		return v, false
	}
	return v, true
}

func reply(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, err error) {
	status := http.StatusInternalServerError
	switch {
	case errors.Is(err, reviews.ErrNotFound), errors.Is(err, giftcard.ErrUnknownCode), errors.Is(err, waitlist.ErrNotOnList):
		status = http.StatusNotFound
	case errors.Is(err, reservation.ErrSlotTaken), errors.Is(err, waitlist.ErrBoardFull):
		status = http.StatusConflict
	case errors.Is(err, reservation.ErrInvalid), errors.Is(err, reviews.ErrInvalid), errors.Is(err, waitlist.ErrInvalidSize):
		status = http.StatusBadRequest
	case errors.Is(err, reservation.ErrHoldExpired), errors.Is(err, reservation.ErrHoldMismatch):
		status = http.StatusGone
	case errors.Is(err, giftcard.ErrLockedOut):
		status = http.StatusTooManyRequests
	}
	http.Error(w, http.StatusText(status), status)
}

func clientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	return r.RemoteAddr
}
