// Package fleet holds the dispatch domain: drivers and shipments with their
// status life cycle.
package fleet

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// Status is a shipment's position in its life cycle.
type Status string

const (
	StatusCreated   Status = "created"
	StatusAssigned  Status = "assigned"
	StatusPickedUp  Status = "picked_up"
	StatusInTransit Status = "in_transit"
	StatusDelivered Status = "delivered"
	StatusFailed    Status = "failed"
	StatusReturned  Status = "returned"
	StatusCancelled Status = "cancelled"
)

var transitions = map[Status][]Status{
	StatusCreated:   {StatusAssigned, StatusCancelled},
	StatusAssigned:  {StatusPickedUp, StatusCreated, StatusCancelled},
	StatusPickedUp:  {StatusInTransit, StatusFailed},
	StatusInTransit: {StatusDelivered, StatusFailed},
	StatusFailed:    {StatusInTransit, StatusReturned},
}

// ErrBadTransition is returned for a status change the life cycle forbids.
var ErrBadTransition = errors.New("fleet: transition not allowed")

// Event is one entry of a shipment's history.
type Event struct {
	At     time.Time `json:"at"`
	From   Status    `json:"from"`
	To     Status    `json:"to"`
	Actor  string    `json:"actor,omitempty"`
	Note   string    `json:"note,omitempty"`
	Source string    `json:"source,omitempty"`
}

// Address is a pickup or drop-off location.
type Address struct {
	Line1    string  `json:"line1"`
	City     string  `json:"city"`
	Postcode string  `json:"postcode"`
	Lat      float64 `json:"lat"`
	Lng      float64 `json:"lng"`
}

// Shipment is one consignment moved for a customer.
type Shipment struct {
	Tenant     string    `json:"tenant"`
	ID         string    `json:"id"`
	TrackingID string    `json:"tracking_id"`
	Customer   string    `json:"customer"`
	Depot      string    `json:"depot"`
	Pickup     Address   `json:"pickup"`
	DropOff    Address   `json:"drop_off"`
	WeightKg   float64   `json:"weight_kg"`
	Status     Status    `json:"status"`
	Driver     string    `json:"driver,omitempty"`
	History    []Event   `json:"history"`
	Version    int       `json:"version"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// Transition moves the shipment to next and records the event.
func (s *Shipment) Transition(next Status, ev Event) error {
	if !slices.Contains(transitions[s.Status], next) {
		return fmt.Errorf("%w: %s -> %s", ErrBadTransition, s.Status, next)
	}
	ev.From, ev.To = s.Status, next
	s.History = append(s.History, ev)
	s.Status, s.UpdatedAt = next, ev.At
	if next == StatusCreated || next == StatusCancelled {
		s.Driver = ""
	}
	return nil
}

// TrackingView is the public projection shown on the tracking page.
type TrackingView struct {
	TrackingID string  `json:"tracking_id"`
	Status     Status  `json:"status"`
	City       string  `json:"city"`
	Events     []Event `json:"events"`
}

// View returns the public projection of s, without actors.
func (s Shipment) View() TrackingView {
	v := TrackingView{TrackingID: s.TrackingID, Status: s.Status, City: s.DropOff.City}
	for _, e := range s.History {
		v.Events = append(v.Events, Event{At: e.At, From: e.From, To: e.To, Note: e.Note})
	}
	return v
}
