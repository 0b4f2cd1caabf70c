// Package events defines the domain events that flow between the booking
// service, the edge worker and the backend jobs.
package events

import (
	"encoding/json"
	"fmt"
	"time"
)

// Event is anything that happened in the marketplace.
type Event interface {
	EventName() string
	OccurredAt() time.Time
}

type BookingConfirmed struct {
	BookingID string    `json:"booking_id"`
	TutorID   string    `json:"tutor_id"`
	StudentID string    `json:"student_id"`
	SlotID    string    `json:"slot_id"`
	Start     time.Time `json:"start"`
	At        time.Time `json:"at"`
}

type BookingCancelled struct {
	BookingID string    `json:"booking_id"`
	TutorID   string    `json:"tutor_id"`
	SlotID    string    `json:"slot_id"`
	Reason    string    `json:"reason"`
	At        time.Time `json:"at"`
}

type ReviewPosted struct {
	ReviewID string    `json:"review_id"`
	TutorID  string    `json:"tutor_id"`
	Stars    int       `json:"stars"`
	At       time.Time `json:"at"`
}

type ProfileViewed struct {
	TutorID string    `json:"tutor_id"`
	Seen    int       `json:"seen"`
	At      time.Time `json:"at"`
}

type SlotReleased struct {
	TutorID string    `json:"tutor_id"`
	SlotID  string    `json:"slot_id"`
	At      time.Time `json:"at"`
}

type PayoutSettled struct {
	PayoutID    string    `json:"payout_id"`
	TutorID     string    `json:"tutor_id"`
	AmountCents int64     `json:"amount_cents"`
	At          time.Time `json:"at"`
}

func (e BookingConfirmed) EventName() string { return "booking.confirmed" }
func (e BookingCancelled) EventName() string { return "booking.cancelled" }
func (e ReviewPosted) EventName() string     { return "review.posted" }
func (e ProfileViewed) EventName() string    { return "profile.viewed" }
func (e SlotReleased) EventName() string     { return "slot.released" }
func (e PayoutSettled) EventName() string    { return "payout.settled" }

func (e BookingConfirmed) OccurredAt() time.Time { return e.At }
func (e BookingCancelled) OccurredAt() time.Time { return e.At }
func (e ReviewPosted) OccurredAt() time.Time     { return e.At }
func (e ProfileViewed) OccurredAt() time.Time    { return e.At }
func (e SlotReleased) OccurredAt() time.Time     { return e.At }
func (e PayoutSettled) OccurredAt() time.Time    { return e.At }

type envelope struct {
	Type string          `json:"type"`
	Data json.RawMessage `json:"data"`
}

// Decode turns one wire envelope into its concrete event.
func Decode(raw []byte) (Event, error) {
	var env envelope
	if err := json.Unmarshal(raw, &env); err != nil {
		return nil, err
	}
	switch env.Type {
	case "booking.confirmed":
		return decodeAs[BookingConfirmed](env)
	case "booking.cancelled":
		return decodeAs[BookingCancelled](env)
	case "review.posted":
		return decodeAs[ReviewPosted](env)
	case "profile.viewed":
		return decodeAs[ProfileViewed](env)
	case "slot.released":
		return decodeAs[SlotReleased](env)
	case "payout.settled":
		return decodeAs[PayoutSettled](env)
	}
	return nil, fmt.Errorf("events: unknown type %q", env.Type)
}

func decodeAs[T Event](env envelope) (Event, error) {
	var e T
	if err := json.Unmarshal(env.Data, &e); err != nil {
		return nil, fmt.Errorf("events: %s: %w", env.Type, err)
	}
	return e, nil
}

// DecodeBatch decodes a JSON array of envelopes, skipping none.
func DecodeBatch(raw []byte) ([]Event, error) {
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, err
	}
	out := make([]Event, 0, len(items))
	for _, it := range items {
		ev, err := Decode(it)
		if err != nil {
			return nil, err
		}
		out = append(out, ev)
	}
	return out, nil
}
