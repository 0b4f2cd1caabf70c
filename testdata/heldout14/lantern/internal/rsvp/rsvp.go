// Package rsvp records who is coming to an event.
package rsvp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"example.com/lantern/internal/keys"
	"example.com/lantern/internal/store"
)

var (
	ErrFull        = errors.New("rsvp: event is full")
	ErrOnWaitlist  = errors.New("rsvp: already on the waitlist")
	ErrUnknownKind = errors.New("rsvp: unknown message")
)

// Reservation is one attendee's answer.
type Reservation struct {
	EventID    string    `json:"event_id"`
	UserID     string    `json:"user_id"`
	Name       string    `json:"name"`
	Status     string    `json:"status"`
	Guests     int       `json:"guests,omitempty"`
	AnsweredAt time.Time `json:"answered_at"`
}

// Messages handled by Service.Dispatch.
type (
	Attend struct {
		EventID, UserID, Name string
		Guests                int
		Capacity              int
		StartsAt              time.Time
	}
	JoinWaitlist   struct{ EventID, UserID string }
	AttendeesQuery struct {
		EventID string
		Cursor  string
	}
	CountQuery struct{ EventID string }
)

// AttendeePage is one page of attendees and the cursor for the next one.
type AttendeePage struct {
	Items  []Reservation `json:"items"`
	Cursor string        `json:"cursor,omitempty"`
	Done   bool          `json:"done"`
}

// Service works on a tenant-scoped store.
type Service struct {
	Store store.Store
	Clock func() time.Time
}

// Dispatch executes one command or query.
func (s *Service) Dispatch(ctx context.Context, msg any) (any, error) {
	switch m := msg.(type) {
	case Attend:
		return s.attend(ctx, m)
	case JoinWaitlist:
		return s.joinWaitlist(ctx, m)
	case AttendeesQuery:
		return s.attendees(ctx, m)
	case CountQuery:
		return s.count(ctx, m)
	}
	return nil, fmt.Errorf("%w: %T", ErrUnknownKind, msg)
}

func (s *Service) attend(ctx context.Context, c Attend) (Reservation, error) {
	seatsKey := keys.SeatsTaken(c.EventID)
	taken := 0
	b, err := s.Store.Get(ctx, seatsKey)
	switch {
	case store.IsNotFound(err):
	case err != nil:
		return Reservation{}, err
	default:
		if taken, err = strconv.Atoi(string(b)); err != nil {
			return Reservation{}, fmt.Errorf("rsvp: seats of %s: %w", c.EventID, err)
		}
	}
	need := 1 + c.Guests
	if c.Capacity > 0 && taken+need > c.Capacity {
		return Reservation{}, ErrFull
	}
	if err := s.Store.Put(ctx, seatsKey, []byte(strconv.Itoa(taken+need)), store.PutOptions{}); err != nil { // EXPECT kvcounter
		return Reservation{}, err
	}
	r := Reservation{
		EventID:    c.EventID,
		UserID:     c.UserID,
		Name:       c.Name,
		Status:     "going",
		Guests:     c.Guests,
		AnsweredAt: s.Clock().UTC(),
	}
	if err := s.save(ctx, r); err != nil {
		return Reservation{}, err
	}
	if err := s.scheduleReminder(ctx, r, c.StartsAt); err != nil {
		return r, fmt.Errorf("rsvp: reminder: %w", err)
	}
	return r, nil
}

// save writes the attendee's own record; answering twice just replaces it.
func (s *Service) save(ctx context.Context, r Reservation) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return s.Store.Put(ctx, keys.RSVP(r.EventID, r.UserID), b, store.PutOptions{})
}

// scheduleReminder leaves a marker that expires when the event starts; the
// notifier sends reminders for markers that are about to lapse.
func (s *Service) scheduleReminder(ctx context.Context, r Reservation, startsAt time.Time) error {
	if startsAt.IsZero() {
		return nil
	}
	ttl := startsAt.Sub(s.Clock())
	if ttl <= 0 {
		return nil
	}
	b, _ := json.Marshal(map[string]string{"user": r.UserID, "name": r.Name})
	return s.Store.Put(ctx, keys.Reminder(r.EventID, r.UserID), b, store.PutOptions{TTL: ttl}) // EXPECT kvttl
}

type waitlist struct {
	Users []string  `json:"users"`
	Since time.Time `json:"since"`
}

func (s *Service) joinWaitlist(ctx context.Context, c JoinWaitlist) (int, error) {
	key := keys.Waitlist(c.EventID)
	var wl waitlist
	b, err := s.Store.Get(ctx, key)
	switch {
	case store.IsNotFound(err):
		wl.Since = s.Clock().UTC()
	case err != nil:
		return 0, err
	default:
		if err := json.Unmarshal(b, &wl); err != nil {
			return 0, err
		}
	}
	for _, u := range wl.Users {
		if u == c.UserID {
			return 0, ErrOnWaitlist
		}
	}
	wl.Users = append(wl.Users, c.UserID)
	out, err := json.Marshal(wl)
	if err != nil {
		return 0, err
	}
	if err := s.Store.Put(ctx, key, out, store.PutOptions{}); err != nil { // EXPECT kvrace
		return 0, err
	}
	return len(wl.Users), nil
}

// attendees returns one page of reservations; the caller passes Cursor back
// for the next page.
func (s *Service) attendees(ctx context.Context, q AttendeesQuery) (AttendeePage, error) {
	page, err := s.Store.List(ctx, keys.RSVPPrefix(q.EventID), q.Cursor, 100)
	if err != nil {
		return AttendeePage{}, err
	}
	out := AttendeePage{Items: make([]Reservation, 0, len(page.Keys)), Cursor: page.Cursor, Done: page.Complete}
	for _, k := range page.Keys {
		b, err := s.Store.Get(ctx, k) // EXPECT kvlist
		if store.IsNotFound(err) {
			continue
		}
		if err != nil {
			return AttendeePage{}, err
		}
		var r Reservation
		if err := json.Unmarshal(b, &r); err != nil {
			return AttendeePage{}, err
		}
		out.Items = append(out.Items, r)
	}
	return out, nil
}

// count returns how many people answered.
func (s *Service) count(ctx context.Context, q CountQuery) (int, error) {
	page, err := s.Store.List(ctx, keys.RSVPPrefix(q.EventID), "", 1000) // EXPECT kvlist
	if err != nil {
		return 0, err
	}
	return len(page.Keys), nil
}
