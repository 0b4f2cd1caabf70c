//go:build js && wasm

// Package holds places and releases temporary seat holds while a buyer is in
// checkout.
package holds

import (
	"time"

	"github.com/boxoffice/knot/internal/clock"
)

// HoldWindow is how long a buyer keeps seats while checking out.
const HoldWindow = 8 * time.Minute

// Hold reserves one seat for one buyer until ExpiresAt.
type Hold struct {
	EventID   string    `json:"event_id"`
	Seat      string    `json:"seat"`
	HoldID    string    `json:"hold_id"`
	Buyer     string    `json:"buyer"`
	ExpiresAt time.Time `json:"expires_at"`

	clock clock.Clock
}

// Key is the seat's hold key; at most one hold per seat.
func (h Hold) Key() string { return "hold:" + h.EventID + ":" + h.Seat }

// TTL lets the hold vanish by itself when the checkout window closes.
func (h Hold) TTL() time.Duration {
	return h.ExpiresAt.Sub(h.clock.Now()) // EXPECT kvttl
}

// Offer is a waitlist offer: a released seat offered to the next person in
// line for a short time.
type Offer struct {
	EventID string    `json:"event_id"`
	Seat    string    `json:"seat"`
	Email   string    `json:"email"`
	Until   time.Time `json:"until"`

	clock clock.Clock
}

// Key is per seat and per invitee.
func (o Offer) Key() string { return "offer:" + o.EventID + ":" + o.Seat + ":" + o.Email }

// TTL keeps the offer around until it lapses, but never less than KV allows.
func (o Offer) TTL() time.Duration {
	d := o.Until.Sub(o.clock.Now())
	if d < time.Minute {
		d = time.Minute
	}
	return d
}

// SeatMap is the cached seat layout for an event, rebuilt from the box-office
// database whenever the promoter edits the plan.
type SeatMap struct {
	EventID string              `json:"event_id"`
	Rows    map[string][]string `json:"rows"`
	Version int                 `json:"version"`
}

// Key of the event's seat map.
func (m SeatMap) Key() string { return "seatmap:" + m.EventID }

// TTL of the cached map.
func (m SeatMap) TTL() time.Duration { return 6 * time.Hour }
