package model

import (
	"encoding/json"
	"time"
)

// GuestSession is a signed-in guest's browser session.
type GuestSession struct {
	ID           string    `json:"id"`
	GuestID      string    `json:"guest_id"`
	Phone        string    `json:"phone"`
	CreatedAt    time.Time `json:"created_at"`
	ExpiresAt    time.Time `json:"expires_at"`
	LastSeen     time.Time `json:"last_seen"`
	HeldSlot     string    `json:"held_slot,omitempty"`
	PendingParty int       `json:"pending_party,omitempty"`
}

// MarshalBinary implements encoding.BinaryMarshaler.
func (s *GuestSession) MarshalBinary() ([]byte, error) { return json.Marshal(s) }

// UnmarshalBinary implements encoding.BinaryUnmarshaler.
func (s *GuestSession) UnmarshalBinary(data []byte) error { return json.Unmarshal(data, s) }

// GuestProfile is what the restaurant group knows about a guest.
type GuestProfile struct {
	GuestID   string    `json:"guest_id"`
	Name      string    `json:"name"`
	Phone     string    `json:"phone"`
	Bookings  []string  `json:"bookings"`
	Allergies []string  `json:"allergies,omitempty"`
	LastVisit time.Time `json:"last_visit"`
	Version   int       `json:"version"`
}

// MarshalBinary implements encoding.BinaryMarshaler.
func (p *GuestProfile) MarshalBinary() ([]byte, error) { return json.Marshal(p) }

// UnmarshalBinary implements encoding.BinaryUnmarshaler.
func (p *GuestProfile) UnmarshalBinary(data []byte) error { return json.Unmarshal(data, p) }

// WaitEntry is one party on a walk-in waitlist.
type WaitEntry struct {
	ID       string    `json:"id"`
	Name     string    `json:"name"`
	Phone    string    `json:"phone"`
	Party    int       `json:"party"`
	Ticket   int       `json:"ticket"`
	JoinedAt time.Time `json:"joined_at"`
}

// Waitlist is a restaurant's walk-in queue for one service day.
type Waitlist struct {
	Restaurant string      `json:"restaurant"`
	Date       string      `json:"date"`
	Entries    []WaitEntry `json:"entries"`
	Version    int         `json:"version"`
}

// MarshalBinary implements encoding.BinaryMarshaler.
func (w *Waitlist) MarshalBinary() ([]byte, error) { return json.Marshal(w) }

// UnmarshalBinary implements encoding.BinaryUnmarshaler.
func (w *Waitlist) UnmarshalBinary(data []byte) error { return json.Unmarshal(data, w) }

// Position returns the 1-based place of entry id, or 0.
func (w *Waitlist) Position(id string) int {
	for i, e := range w.Entries {
		if e.ID == id {
			return i + 1
		}
	}
	return 0
}

// Deposit tracks the card hold or charge taken for a booking.
type Deposit struct {
	BookingID     string    `json:"booking_id"`
	Status        string    `json:"status"`
	AmountCents   int64     `json:"amount_cents"`
	CapturedCents int64     `json:"captured_cents"`
	RefundedCents int64     `json:"refunded_cents"`
	Rev           int       `json:"rev"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// MarshalBinary implements encoding.BinaryMarshaler.
func (d *Deposit) MarshalBinary() ([]byte, error) { return json.Marshal(d) }

// UnmarshalBinary implements encoding.BinaryUnmarshaler.
func (d *Deposit) UnmarshalBinary(data []byte) error { return json.Unmarshal(data, d) }
