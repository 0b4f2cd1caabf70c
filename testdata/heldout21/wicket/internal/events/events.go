// Package events defines the messages the ILS pushes to the edge.
package events

import (
	"encoding/json"
	"fmt"
	"time"

	"example.com/wicket/internal/domain/catalog"
)

// Event is implemented by every message type.
type Event interface {
	Kind() string
	At() time.Time
}

type base struct {
	Time time.Time `json:"at"`
}

func (b base) At() time.Time { return b.Time }

// TitleAdded fires when cataloguing finishes a new bibliographic record.
type TitleAdded struct {
	base
	Title catalog.Title `json:"title"`
}

// TitleWithdrawn fires when the last copy of a title is discarded.
type TitleWithdrawn struct {
	base
	ISBN catalog.ISBN `json:"isbn"`
}

// HoldShelved fires when a held copy is put on the pickup shelf.
type HoldShelved struct {
	base
	Hold     catalog.Hold `json:"hold"`
	Deadline time.Time    `json:"deadline"`
}

func (TitleAdded) Kind() string     { return "title.added" }
func (TitleWithdrawn) Kind() string { return "title.withdrawn" }
func (HoldShelved) Kind() string    { return "hold.shelved" }

type envelope struct {
	Kind string          `json:"kind"`
	Body json.RawMessage `json:"body"`
}

// Decode parses one envelope from the ILS webhook.
func Decode(b []byte) (Event, error) {
	var env envelope
	if err := json.Unmarshal(b, &env); err != nil {
		return nil, err
	}
	var ev Event
	switch env.Kind {
	case "title.added":
		ev = new(TitleAdded)
	case "title.withdrawn":
		ev = new(TitleWithdrawn)
	case "hold.shelved":
		ev = new(HoldShelved)
	default:
		return nil, fmt.Errorf("events: unknown kind %q", env.Kind)
	}
	if err := json.Unmarshal(env.Body, ev); err != nil {
		return nil, fmt.Errorf("events: %s: %w", env.Kind, err)
	}
	return ev, nil
}

// DecodeBatch parses a JSON array of envelopes, skipping unknown kinds.
func DecodeBatch(b []byte) ([]Event, error) {
	var raws []json.RawMessage
	if err := json.Unmarshal(b, &raws); err != nil {
		return nil, err
	}
	out := make([]Event, 0, len(raws))
	for _, r := range raws {
		ev, err := Decode(r)
		if err != nil {
			continue
		}
		out = append(out, ev)
	}
	return out, nil
}
