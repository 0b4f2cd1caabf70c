// Package berth manages vessel berth bookings.
package berth

import (
	"fmt"
	"slices"
	"time"
)

// Status is the lifecycle state of a booking.
type Status string

const (
	Requested Status = "requested"
	Confirmed Status = "confirmed"
	Berthed   Status = "berthed"
	Departed  Status = "departed"
	Cancelled Status = "cancelled"
)

// transitions lists the states reachable from each state.
var transitions = map[Status][]Status{
	Requested: {Confirmed, Cancelled},
	Confirmed: {Berthed, Cancelled},
	Berthed:   {Departed},
}

// CanTransition reports whether from → to is allowed.
func CanTransition(from, to Status) bool { return slices.Contains(transitions[from], to) }

// Change is one entry of a booking's history.
type Change struct {
	From  Status    `json:"from,omitempty"`
	To    Status    `json:"to"`
	By    string    `json:"by"`
	At    time.Time `json:"at"`
	Notes string    `json:"notes,omitempty"`
}

// Booking is a reservation of a berth for a vessel call.
type Booking struct {
	ID        string    `json:"id"`
	VesselIMO string    `json:"vessel_imo"`
	Berth     string    `json:"berth"`
	Operator  string    `json:"operator"`
	Status    Status    `json:"status"`
	ETA       time.Time `json:"eta"`
	ETD       time.Time `json:"etd"`
	History   []Change  `json:"history"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Request is the input to Service.Request.
type Request struct {
	VesselIMO, Berth, Operator string
	ETA, ETD                   time.Time
}

// ValidationError is returned for malformed requests.
type ValidationError struct{ Field, Reason string }

func (e *ValidationError) Error() string { return fmt.Sprintf("berth: %s %s", e.Field, e.Reason) }

// Validate checks a booking request.
func (r Request) Validate() error {
	switch {
	case len(r.VesselIMO) != 7:
		return &ValidationError{"vessel_imo", "must be 7 digits"}
	case r.Berth == "":
		return &ValidationError{"berth", "required"}
	case !r.ETD.After(r.ETA):
		return &ValidationError{"etd", "must be after eta"}
	}
	return nil
}

// TransitionError is returned for a transition the table forbids.
type TransitionError struct {
	ID       string
	From, To Status
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("berth: booking %s cannot go from %s to %s", e.ID, e.From, e.To)
}

// ConflictError is returned when a berth is locked by someone else.
type ConflictError struct{ Berth, Owner string }

func (e *ConflictError) Error() string {
	return fmt.Sprintf("berth: %s is locked by %s", e.Berth, e.Owner)
}
