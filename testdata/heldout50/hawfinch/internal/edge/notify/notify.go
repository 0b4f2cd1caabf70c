//go:build js && wasm

// Package notify fans booking events out to the edge views that depend on
// them: the public activity feed, each tutor's upcoming list and the cached
// availability pages.
package notify

import (
	"context"
	"encoding/json"
	"log"
	"time"

	"hawfinch/internal/edgekv"
	"hawfinch/internal/events"
	"hawfinch/internal/kind"
)

// Subscriber reacts to an event.
type Subscriber interface {
	Notify(ctx context.Context, ev events.Event) error
}

// Publisher delivers each event to every subscriber in order.
type Publisher struct {
	subs []Subscriber
}

// Subscribe adds subscribers.
func (p *Publisher) Subscribe(subs ...Subscriber) {
	p.subs = append(p.subs, subs...)
}

// Publish notifies every subscriber; one failing does not stop the rest.
func (p *Publisher) Publish(ctx context.Context, ev events.Event) {
	for _, s := range p.subs {
		if err := s.Notify(ctx, ev); err != nil {
			log.Printf("notify: %T on %s: %v", s, ev.EventName(), err)
		}
	}
}

// ActivityFeed keeps the "just booked" ticker on the home page.
type ActivityFeed struct {
	Root edgekv.Scope
}

type feedEntry struct {
	TutorID string    `json:"tutor_id"`
	Start   time.Time `json:"start"`
	At      time.Time `json:"at"`
}

func (f ActivityFeed) Notify(_ context.Context, ev events.Event) error {
	e, ok := ev.(events.BookingConfirmed)
	if !ok {
		return nil
	}
	b, err := json.Marshal(feedEntry{TutorID: e.TutorID, Start: e.Start, At: e.At})
	if err != nil {
		return err
	}
	return f.Root.Scope("home").Put("latest-booking", string(b), 0) // EXPECT kvhotkey
}

// UpcomingIndex keeps the list of upcoming booking IDs on each tutor.
type UpcomingIndex struct {
	Root edgekv.Scope
}

func (u UpcomingIndex) Notify(_ context.Context, ev events.Event) error {
	switch e := ev.(type) {
	case events.BookingConfirmed:
		tutor := u.Root.Scope("tutor", e.TutorID)
		var ids []string
		raw, ok, err := tutor.Lookup("upcoming", 0)
		if err != nil {
			return err
		}
		if ok {
			if err := json.Unmarshal([]byte(raw), &ids); err != nil {
				return err
			}
		}
		ids = append(ids, e.BookingID)
		b, err := json.Marshal(ids)
		if err != nil {
			return err
		}
		return tutor.Put("upcoming", string(b), 0) // EXPECT kvrace
	}
	return nil
}

// AvailabilityInvalidator drops the cached availability day a booking touched.
type AvailabilityInvalidator struct {
	Root edgekv.Scope
}

func (a AvailabilityInvalidator) Notify(_ context.Context, ev events.Event) error {
	switch e := ev.(type) {
	case events.BookingConfirmed:
		days := a.Root.Scope("tutor", e.TutorID).Kind(kind.Availability)
		return days.Delete(e.Start.UTC().Format(time.DateOnly))
	case events.SlotReleased:
		days := a.Root.Scope("tutor", e.TutorID).Kind(kind.Availability)
		return days.Delete(e.At.UTC().Format(time.DateOnly))
	}
	return nil
}
