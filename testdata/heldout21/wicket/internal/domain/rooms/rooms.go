// Package rooms models reading-room seats, bookings and after-hours rooms.
package rooms

import (
	"errors"
	"fmt"
	"regexp"
	"time"

	"example.com/wicket/internal/domain/patron"
)

// RoomID names a bookable room, e.g. "cen-quiet-2".
type RoomID string

// SeatID names a seat inside a room, e.g. "A14".
type SeatID string

// Slot is an hour-aligned booking window.
type Slot struct {
	Start time.Time `json:"start"`
	Hours int       `json:"hours"`
}

var (
	roomRe = regexp.MustCompile(`^[a-z]{3}-[a-z0-9-]{2,32}$`)
	seatRe = regexp.MustCompile(`^[A-Z][0-9]{1,3}$`)

	ErrBadRoom = errors.New("rooms: malformed room id")
	ErrBadSeat = errors.New("rooms: malformed seat id")
	ErrBadSlot = errors.New("rooms: slot must start on the hour and last 1-4 hours")
)

func NewRoomID(s string) (RoomID, error) {
	if !roomRe.MatchString(s) {
		return "", fmt.Errorf("%w: %q", ErrBadRoom, s)
	}
	return RoomID(s), nil
}

func NewSeatID(s string) (SeatID, error) {
	if !seatRe.MatchString(s) {
		return "", fmt.Errorf("%w: %q", ErrBadSeat, s)
	}
	return SeatID(s), nil
}

func NewSlot(start time.Time, hours int) (Slot, error) {
	if hours < 1 || hours > 4 || start.Minute() != 0 || start.Second() != 0 {
		return Slot{}, ErrBadSlot
	}
	return Slot{Start: start.UTC(), Hours: hours}, nil
}

// End is the exclusive end of the slot.
func (s Slot) End() time.Time { return s.Start.Add(time.Duration(s.Hours) * time.Hour) }

// Key renders the slot as yyyymmddhh for use in storage keys.
func (s Slot) Key() string { return s.Start.Format("2006010215") }

// Booking is one patron holding one seat for one slot.
type Booking struct {
	Room    RoomID    `json:"room"`
	Seat    SeatID    `json:"seat"`
	Slot    Slot      `json:"slot"`
	Patron  patron.ID `json:"patron"`
	Created time.Time `json:"created"`
}

// DayPlan is the per-room, per-day occupancy grid shown on the signage.
type DayPlan struct {
	Room  RoomID           `json:"room"`
	Day   string           `json:"day"`
	Taken map[SeatID][]int `json:"taken"`
	Rev   int              `json:"rev"`
}

// AfterHoursRoom is a study room that opens with a door code outside staffed hours.
type AfterHoursRoom struct {
	ID     RoomID `json:"id"`
	LockID string `json:"lockId"`
}
