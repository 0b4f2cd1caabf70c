// Package container tracks containers through the terminal. Domain events
// arrive from the outbox and are folded into read-side projections in KV.
package container

import (
	"encoding/json"
	"fmt"
	"time"
)

// EventType names an outbox event.
type EventType string

const (
	GateIn         EventType = "container.gate_in"
	Loaded         EventType = "container.loaded"
	Discharged     EventType = "container.discharged"
	CustomsHold    EventType = "customs.hold"
	CustomsRelease EventType = "customs.release"
)

// Event is one outbox record.
type Event struct {
	ID        string          `json:"id"`
	Type      EventType       `json:"type"`
	Container string          `json:"container"`
	Terminal  string          `json:"terminal"`
	Vessel    string          `json:"vessel,omitempty"`
	At        time.Time       `json:"at"`
	Payload   json.RawMessage `json:"payload,omitempty"`
}

// Status is the current-state projection of a container.
type Status struct {
	Container string    `json:"container"`
	Location  string    `json:"location"`
	Terminal  string    `json:"terminal"`
	Vessel    string    `json:"vessel,omitempty"`
	LastEvent EventType `json:"last_event"`
	At        time.Time `json:"at"`
}

// Movement is one entry of the movement history projection.
type Movement struct {
	Event  EventType `json:"event"`
	Vessel string    `json:"vessel,omitempty"`
	At     time.Time `json:"at"`
}

// UnknownEventError is returned for event types with no handler.
type UnknownEventError struct {
	Type EventType
	ID   string
}

func (e *UnknownEventError) Error() string {
	return fmt.Sprintf("container: no handler for %s (event %s)", e.Type, e.ID)
}
