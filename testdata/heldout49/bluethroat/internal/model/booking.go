// Package model holds the records that the worker and the back office store in
// Workers KV, with their wire encodings and key layouts.
package model

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Status is the lifecycle state of a booking.
type Status uint8

const (
	StatusPending Status = iota
	StatusConfirmed
	StatusSeated
	StatusCompleted
	StatusNoShow
	StatusCancelled
)

var statusNames = [...]string{"pending", "confirmed", "seated", "completed", "no_show", "cancelled"}

// MarshalText implements encoding.TextMarshaler.
func (s Status) MarshalText() ([]byte, error) {
	if int(s) >= len(statusNames) {
		return nil, fmt.Errorf("model: unknown status %d", s)
	}
	return []byte(statusNames[s]), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *Status) UnmarshalText(b []byte) error {
	for i, n := range statusNames {
		if n == string(b) {
			*s = Status(i)
			return nil
		}
	}
	return fmt.Errorf("model: unknown status %q", b)
}

func (s Status) String() string {
	b, err := s.MarshalText()
	if err != nil {
		return "unknown"
	}
	return string(b)
}

// Booking is one reservation of one table for one shift.
type Booking struct {
	ID           string    `json:"id"`
	Restaurant   string    `json:"restaurant"`
	Table        string    `json:"table"`
	Shift        string    `json:"shift"`
	Date         string    `json:"date"`
	StartsAt     time.Time `json:"starts_at"`
	Party        int       `json:"party"`
	GuestID      string    `json:"guest_id"`
	Status       Status    `json:"status"`
	DepositCents int64     `json:"deposit_cents,omitempty"`
	Notes        string    `json:"notes,omitempty"`
	Version      int       `json:"version"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// MarshalBinary implements encoding.BinaryMarshaler.
func (b *Booking) MarshalBinary() ([]byte, error) { return json.Marshal(b) }

// UnmarshalBinary implements encoding.BinaryUnmarshaler.
func (b *Booking) UnmarshalBinary(data []byte) error { return json.Unmarshal(data, b) }

// ETag is the entity tag handed to clients for conditional requests.
func (b *Booking) ETag() string { return `"` + b.ID + "." + strconv.Itoa(b.Version) + `"` }

// TableHold is the value stored under a slot key while a table is held for a
// booking. It is encoded as "booking|guest".
type TableHold struct {
	BookingID string
	GuestID   string
}

// MarshalText implements encoding.TextMarshaler.
func (h TableHold) MarshalText() ([]byte, error) {
	return []byte(h.BookingID + "|" + h.GuestID), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (h *TableHold) UnmarshalText(b []byte) error {
	id, guest, ok := strings.Cut(string(b), "|")
	if !ok {
		return fmt.Errorf("model: malformed hold %q", b)
	}
	h.BookingID, h.GuestID = id, guest
	return nil
}

// DayIndexEntry summarises one booking in a restaurant's day index.
type DayIndexEntry struct {
	BookingID string `json:"id"`
	Shift     string `json:"shift"`
	Party     int    `json:"party"`
	GuestID   string `json:"guest"`
}

// DayIndex lists a restaurant's bookings for one service day.
type DayIndex struct {
	Restaurant string          `json:"restaurant"`
	Date       string          `json:"date"`
	Entries    []DayIndexEntry `json:"entries"`
}

// MarshalBinary implements encoding.BinaryMarshaler.
func (d *DayIndex) MarshalBinary() ([]byte, error) { return json.Marshal(d) }

// UnmarshalBinary implements encoding.BinaryUnmarshaler.
func (d *DayIndex) UnmarshalBinary(data []byte) error { return json.Unmarshal(data, d) }

// CoversReport is the end-of-day summary for one restaurant.
type CoversReport struct {
	Restaurant  string         `json:"restaurant"`
	Date        string         `json:"date"`
	Bookings    int            `json:"bookings"`
	Covers      int            `json:"covers"`
	ByShift     map[string]int `json:"by_shift"`
	LargeTables int            `json:"large_tables"`
	GeneratedAt time.Time      `json:"generated_at"`
}

// MarshalBinary implements encoding.BinaryMarshaler.
func (r *CoversReport) MarshalBinary() ([]byte, error) { return json.Marshal(r) }

// UnmarshalBinary implements encoding.BinaryUnmarshaler.
func (r *CoversReport) UnmarshalBinary(data []byte) error { return json.Unmarshal(data, r) }
