// Package booking holds the appointment-booking domain: published slot
// schedules per office and day, bookings, confirmations and cancellation
// links.
package booking

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cityofpitta/pitta/internal/kvstore"
)

// Errors returned to the HTTP layer.
var (
	ErrNoSchedule  = errors.New("booking: no schedule published for that day")
	ErrNoSuchSlot  = errors.New("booking: no such slot")
	ErrSlotFull    = errors.New("booking: slot is fully booked")
	ErrSlotHeld    = errors.New("booking: slot is being booked by someone else")
	ErrLimitHit    = errors.New("booking: too many bookings, try again later")
	ErrLinkExpired = errors.New("booking: link has expired or was already used")
)

// Slot is one appointment window at a counter.
type Slot struct {
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	Capacity int       `json:"capacity"`
	Booked   int       `json:"booked"`
}

// Day is the published schedule of one office for one date.
type Day struct {
	Office string `json:"office"`
	Date   string `json:"date"` // 2006-01-02
	Slots  []Slot `json:"slots"`
}

// Free reports the number of open places in the day.
func (d *Day) Free() int {
	n := 0
	for _, s := range d.Slots {
		n += s.Capacity - s.Booked
	}
	return n
}

func (d *Day) slot(start time.Time) (*Slot, error) {
	for i := range d.Slots {
		if d.Slots[i].Start.Equal(start) {
			return &d.Slots[i], nil
		}
	}
	return nil, ErrNoSuchSlot
}

// DayKey is the KV key of an office's schedule for a date.
func DayKey(office, date string) string {
	return fmt.Sprintf("slots:%s:%s", office, date)
}

// Board reads and publishes slot schedules.
type Board struct {
	ns *kvstore.Namespace
}

// NewBoard returns a Board over ns.
func NewBoard(ns *kvstore.Namespace) *Board { return &Board{ns: ns} }

// Day returns the published schedule.
func (b *Board) Day(ctx context.Context, office, date string) (*Day, error) {
	raw, err := b.ns.Get(ctx, DayKey(office, date))
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, ErrNoSchedule
	}
	if err != nil {
		return nil, err
	}
	var d Day
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, fmt.Errorf("decode %s/%s: %w", office, date, err)
	}
	return &d, nil
}

// Publish stores a day's schedule as prepared by office staff. Schedules
// expire a week after the day they describe.
func (b *Board) Publish(ctx context.Context, d *Day) error {
	date, err := time.Parse(time.DateOnly, d.Date)
	if err != nil {
		return err
	}
	raw, err := json.Marshal(d)
	if err != nil {
		return err
	}
	return b.ns.PutUntil(ctx, DayKey(d.Office, d.Date), raw, date.AddDate(0, 0, 8))
}

// Reserve takes one place in the slot starting at start.
func (b *Board) Reserve(ctx context.Context, office, date string, start time.Time) (*Day, error) {
	d, err := b.Day(ctx, office, date)
	if err != nil {
		return nil, err
	}
	s, err := d.slot(start)
	if err != nil {
		return nil, err
	}
	if s.Booked >= s.Capacity {
		return nil, ErrSlotFull
	}
	s.Booked++
	raw, err := json.Marshal(d)
	if err != nil {
		return nil, err
	}
	if err := b.ns.Put(ctx, DayKey(office, date), raw, 0); err != nil { // EXPECT kvrace
		return nil, err
	}
	return d, nil
}

// Release gives a place back after a cancellation.
func (b *Board) Release(ctx context.Context, office, date string, start time.Time) error {
	d, err := b.Day(ctx, office, date)
	if err != nil {
		return err
	}
	s, err := d.slot(start)
	if err != nil {
		return err
	}
	if s.Booked > 0 {
		s.Booked--
	}
	raw, err := json.Marshal(d)
	if err != nil {
		return err
	}
	return b.ns.Put(ctx, DayKey(office, date), raw, 0) // EXPECT kvrace
}
