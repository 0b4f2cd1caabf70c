// Package reservation manages table holds and bookings: a guest holds a slot
// while entering details, then confirms the hold into a reservation.
package reservation

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"example.com/saffron/internal/keys"
)

var now = time.Now

var (
	ErrSlotTaken    = errors.New("reservation: slot is already held or booked")
	ErrHoldExpired  = errors.New("reservation: hold expired")
	ErrHoldMismatch = errors.New("reservation: hold belongs to another guest")
	ErrInvalid      = errors.New("reservation: invalid request")
)

// Hold is a temporary claim on a slot.
type Hold struct {
	ID        string    `json:"id"`
	Slot      keys.Slot `json:"slot"`
	Guest     string    `json:"guest"`
	Party     int       `json:"party"`
	Phone     string    `json:"phone,omitempty"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Reservation is a confirmed booking.
type Reservation struct {
	ID          string    `json:"id"`
	Slot        keys.Slot `json:"slot"`
	Guest       string    `json:"guest"`
	Party       int       `json:"party"`
	Notes       string    `json:"notes,omitempty"`
	ConfirmedAt time.Time `json:"confirmed_at"`
}

// HoldRequest is the input to PlaceHold.
type HoldRequest struct {
	Restaurant string    `json:"restaurant"`
	Table      int       `json:"table"`
	Start      time.Time `json:"start"`
	Guest      string    `json:"guest"`
	Party      int       `json:"party"`
	Phone      string    `json:"phone"`
}

// Validate checks the request against basic business rules.
func (r HoldRequest) Validate() error {
	switch {
	case strings.TrimSpace(r.Restaurant) == "" || r.Table <= 0:
		return fmt.Errorf("%w: restaurant and table are required", ErrInvalid)
	case r.Party < 1 || r.Party > 20:
		return fmt.Errorf("%w: party must be between 1 and 20", ErrInvalid)
	case !r.Start.After(now()) || r.Start.Minute()%15 != 0:
		return fmt.Errorf("%w: start must be a future quarter hour", ErrInvalid)
	}
	return nil
}

// Slot returns the slot the request targets.
func (r HoldRequest) Slot() keys.Slot {
	return keys.Slot{Restaurant: r.Restaurant, Table: r.Table, Start: r.Start.Truncate(time.Minute)}
}

func newID() string {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b[:])
}

func bookedKey(s keys.Slot) string { return "booked:" + strings.TrimPrefix(s.String(), "hold:") }
