// Package tracking keeps the edge-readable projection of shipment status.
// The booking system is the source of truth for shipments; carriers push
// status changes through webhooks, which land here.
package tracking

import (
	"errors"
	"time"
)

var now = time.Now

// Status is a normalised shipment state.
type Status string

const (
	StatusBooked     Status = "booked"
	StatusPickedUp   Status = "picked_up"
	StatusInTransit  Status = "in_transit"
	StatusOutForDlv  Status = "out_for_delivery"
	StatusDelivered  Status = "delivered"
	StatusException  Status = "exception"
	StatusReturned   Status = "returned"
	maxEventsPerShip        = 200
)

var rank = map[Status]int{
	StatusBooked: 0, StatusPickedUp: 1, StatusInTransit: 2,
	StatusOutForDlv: 3, StatusException: 3, StatusDelivered: 4, StatusReturned: 4,
}

// Event is one carrier scan or status message.
type Event struct {
	At       time.Time `json:"at"`
	Status   Status    `json:"status"`
	Location string    `json:"loc,omitempty"`
	Note     string    `json:"note,omitempty"`
	EventID  string    `json:"eid"`
}

// Shipment is the tracking view of a shipment.
type Shipment struct {
	Tenant         string    `json:"tenant"`
	ID             string    `json:"id"`
	Customer       string    `json:"customer"`
	Carrier        string    `json:"carrier"`
	TrackingNumber string    `json:"tracking"`
	Status         Status    `json:"status"`
	ETA            time.Time `json:"eta,omitzero"`
	Events         []Event   `json:"events"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// ErrUnknownShipment is returned for a shipment that has no projection.
var ErrUnknownShipment = errors.New("tracking: unknown shipment")

// Apply folds ev into s. Duplicate event IDs are ignored and a status never
// moves backwards.
func (s *Shipment) Apply(ev Event) bool {
	for _, e := range s.Events {
		if e.EventID == ev.EventID {
			return false
		}
	}
	s.Events = append(s.Events, ev)
	if len(s.Events) > maxEventsPerShip {
		s.Events = s.Events[len(s.Events)-maxEventsPerShip:]
	}
	if rank[ev.Status] >= rank[s.Status] {
		s.Status = ev.Status
	}
	s.UpdatedAt = now().UTC()
	return true
}

// Summary is what list views need; it fits in key metadata.
type Summary struct {
	ID     string    `json:"id"`
	Status Status    `json:"st"`
	ETA    time.Time `json:"eta,omitzero"`
}
