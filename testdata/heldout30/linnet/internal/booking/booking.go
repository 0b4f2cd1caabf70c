// Package booking books one-to-one lessons with tutors. A booking touches
// several keys and the payments service, so it runs as a saga.
package booking

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"example.com/linnet/internal/config"
	"example.com/linnet/internal/repo"
	"example.com/linnet/internal/saga"
	"example.com/linnet/internal/storage"
)

var (
	ErrSlotTaken = errors.New("booking: slot already taken")
	ErrInPast    = errors.New("booking: slot has already started")
)

// Payments reserves and captures lesson credits.
type Payments interface {
	Reserve(ctx context.Context, learner string, credits int) (holdID string, err error)
	Capture(ctx context.Context, holdID string) error
	Release(ctx context.Context, holdID string) error
}

// Request is a learner's booking request.
type Request struct {
	Tutor, Learner string
	Start          time.Time
	Minutes        int
}

// Note is a message attached to a booking by the tutor or the learner.
type Note struct {
	By, Text string
	At       time.Time
}

// Booking is a confirmed lesson.
type Booking struct {
	ID, Tutor, Learner string
	Start              time.Time
	Minutes, Credits   int
	Notes              []Note
	ReminderSent       bool
}

type Service struct {
	store    storage.Store
	bookings *repo.Repo[Booking]
	byTutor  *repo.Repo[Booking]
	pay      Payments
	cfg      config.Booking
}

// New wires a Service. Bookings are kept for a month after the lesson.
func New(store storage.Store, pay Payments, cfg config.Booking) *Service {
	keep := repo.WithLifetime(func(b Booking) time.Duration { return time.Until(b.Start.Add(30 * 24 * time.Hour)) })
	return &Service{store: store, pay: pay, cfg: cfg,
		bookings: repo.New(store, "booking:", keep),
		byTutor:  repo.New(store, "tutor-booking:", keep),
	}
}

func holdKey(tutor string, start time.Time) string {
	return fmt.Sprintf("hold:%s:%d", tutor, start.Unix())
}
func cancelWindowKey(id string) string { return "cancel-window:" + id }
func reminderKey(id string) string     { return "reminder:" + id }
func tutorIndexID(b Booking) string {
	return b.Tutor + ":" + b.Start.UTC().Format("20060102T1504") + ":" + b.ID
}

// Book reserves the slot, takes credits and stores the booking.
func (s *Service) Book(ctx context.Context, req Request) (Booking, error) {
	if !req.Start.After(time.Now()) {
		return Booking{}, ErrInPast
	}
	id := make([]byte, 10)
	_, _ = rand.Read(id)
	b := Booking{ID: hex.EncodeToString(id), Tutor: req.Tutor, Learner: req.Learner, Start: req.Start,
		Minutes: req.Minutes, Credits: max(1, req.Minutes/30)}
	hold := holdKey(req.Tutor, req.Start)
	var payHold string

	steps := saga.Saga{
		{
			Name: "slot",
			Do: func(ctx context.Context) error {
				if _, err := s.store.Get(ctx, hold); err == nil {
					return ErrSlotTaken
				} else if !errors.Is(err, storage.ErrNotFound) {
					return err
				}
				return s.store.Put(ctx, hold, []byte(b.ID), storage.WithTTL(s.cfg.HoldFor)) // EXPECT kvrace
			},
			Undo: func(ctx context.Context) error { return s.store.Delete(ctx, hold) },
		},
		{
			Name: "credits",
			Do: func(ctx context.Context) (err error) {
				payHold, err = s.pay.Reserve(ctx, b.Learner, b.Credits)
				return err
			},
			Undo: func(ctx context.Context) error { return s.pay.Release(ctx, payHold) },
		},
		{
			Name: "booking",
			Do: func(ctx context.Context) error {
				return errors.Join(s.bookings.Save(ctx, b.ID, b), s.byTutor.Save(ctx, tutorIndexID(b), b))
			},
			Undo: func(ctx context.Context) error {
				return errors.Join(s.bookings.Delete(ctx, b.ID), s.byTutor.Delete(ctx, tutorIndexID(b)))
			},
		},
		{
			Name: "cancel-window",
			Do: func(ctx context.Context) error {
				return s.store.Put(ctx, cancelWindowKey(b.ID), []byte("free"), storage.WithTTL(time.Until(b.Start.Add(-s.cfg.FreeCancelBefore)))) // EXPECT kvttl
			},
			Undo: func(ctx context.Context) error { return s.store.Delete(ctx, cancelWindowKey(b.ID)) },
		},
		{
			Name: "reminder",
			Do: func(ctx context.Context) error {
				remindAt := b.Start.Add(-s.cfg.ReminderLead)
				return s.store.Put(ctx, reminderKey(b.ID), []byte(b.ID),
					storage.WithTTL(max(time.Until(b.Start.Add(time.Hour)), time.Minute)),
					storage.WithMetadata(map[string]any{"at": remindAt.Unix()}))
			},
			Undo: func(ctx context.Context) error { return s.store.Delete(ctx, reminderKey(b.ID)) },
		},
		{
			Name: "dashboard",
			Do: func(ctx context.Context) error {
				raw, _ := json.Marshal(map[string]any{"id": b.ID, "tutor": b.Tutor, "start": b.Start})
				return s.store.Put(ctx, "dashboard:recent-booking", raw) // EXPECT kvhotkey
			},
		},
		{Name: "capture", Do: func(ctx context.Context) error { return s.pay.Capture(ctx, payHold) }},
	}
	return b, steps.Run(ctx)
}

func (s *Service) Get(ctx context.Context, id string) (Booking, error) {
	return s.bookings.Get(ctx, id)
}

// AddNote appends a note from the tutor or the learner.
func (s *Service) AddNote(ctx context.Context, id, by, text string) error {
	note := Note{By: by, Text: text, At: time.Now()}
	return s.bookings.Modify(ctx, id, func(b *Booking) error { // EXPECT kvrace
		if by != b.Tutor && by != b.Learner {
			return fmt.Errorf("booking: %s is not part of booking %s", by, id)
		}
		b.Notes = append(b.Notes, note)
		return nil
	})
}

// Cancel cancels a booking and reports whether the cancellation was free.
func (s *Service) Cancel(ctx context.Context, id string) (free bool, err error) {
	b, err := s.Get(ctx, id)
	if err != nil {
		return false, err
	}
	switch _, err := s.store.Get(ctx, cancelWindowKey(id)); {
	case err == nil:
		free = true
	case !errors.Is(err, storage.ErrNotFound):
		return false, err
	}
	if err := s.store.Put(ctx, "booking-status:"+id, []byte("cancelled"), storage.WithExpiry(b.Start.AddDate(0, 3, 0))); err != nil {
		return false, err
	}
	return free, errors.Join(s.store.Delete(ctx, holdKey(b.Tutor, b.Start)), s.store.Delete(ctx, reminderKey(id)))
}

// Upcoming returns one page of a tutor's bookings.
func (s *Service) Upcoming(ctx context.Context, tutor, token string) ([]Booking, string, error) {
	return s.byTutor.Page(ctx, tutor+":", token, 25)
}

// DueReminders returns bookings whose reminder time has passed, scanning at
// most maxPages pages per call; the reminder job calls it every minute.
func (s *Service) DueReminders(ctx context.Context, maxPages int) ([]string, error) {
	var due []string
	opts := storage.ListOptions{Prefix: "reminder:", Limit: 500}
	for range maxPages {
		page, err := s.store.List(ctx, opts)
		if err != nil {
			return due, err
		}
		for _, k := range page.Keys {
			if at, ok := k.Metadata["at"].(float64); ok && int64(at) <= time.Now().Unix() {
				due = append(due, k.Name[len("reminder:"):])
			}
		}
		if page.Complete {
			break
		}
		opts.Cursor = page.Cursor
	}
	return due, nil
}

// Reminded marks the reminder as sent on the tutor's agenda entry and drops
// the pending reminder. Only the reminder job writes agenda entries after
// the booking saga created them.
func (s *Service) Reminded(ctx context.Context, id string) error {
	b, err := s.bookings.Get(ctx, id)
	if err == nil {
		err = s.byTutor.Modify(ctx, tutorIndexID(b), func(e *Booking) error {
			e.ReminderSent = true
			return nil
		})
	}
	if err != nil && !errors.Is(err, repo.ErrNotFound) {
		return err
	}
	return s.store.Delete(ctx, reminderKey(id))
}
