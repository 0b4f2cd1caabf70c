// Package seats books reading-room seats. The decision logic is pure: it
// takes a snapshot and returns the writes to make, which the shell applies.
package seats

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"example.com/wicket/internal/domain/patron"
	"example.com/wicket/internal/domain/rooms"
)

// Write is one storage change produced by a decision.
type Write struct {
	Key    string
	Value  string
	TTL    time.Duration
	Delete bool
}

// Request asks for one seat for one slot.
type Request struct {
	Room   rooms.RoomID
	Seat   rooms.SeatID
	Slot   rooms.Slot
	Patron patron.ID
}

// Snapshot is everything a decision needs to read.
type Snapshot struct {
	Plan    rooms.DayPlan
	HasPlan bool
	Now     time.Time
}

// Outcome tells the handler what happened.
type Outcome int

const (
	Booked Outcome = iota
	SeatTaken
	InThePast
)

func (o Outcome) String() string {
	return [...]string{"booked", "seat-taken", "in-the-past"}[o]
}

func planKey(room rooms.RoomID, day string) string {
	return "plan:" + string(room) + ":" + day
}

func bookingKey(room rooms.RoomID, seat rooms.SeatID, slot rooms.Slot) string {
	return fmt.Sprintf("booking:%s:%s:%s", room, seat, slot.Key())
}

func hours(slot rooms.Slot) []int {
	out := make([]int, 0, slot.Hours)
	for h := range slot.Hours {
		out = append(out, slot.Start.Hour()+h)
	}
	return out
}

// planTTL keeps day plans a week past the day they describe.
func planTTL(day time.Time, now time.Time) time.Duration {
	return max(day.Add(8*24*time.Hour).Sub(now), time.Hour)
}

// DecideBooking marks the slot's hours as taken on the day plan.
func DecideBooking(s Snapshot, r Request) (Outcome, []Write) {
	if !r.Slot.Start.After(s.Now) {
		return InThePast, nil
	}
	day := r.Slot.Start.Format("2006-01-02")
	plan := s.Plan
	if !s.HasPlan {
		plan = rooms.DayPlan{Room: r.Room, Day: day, Taken: map[rooms.SeatID][]int{}}
	}
	if plan.Taken == nil {
		plan.Taken = map[rooms.SeatID][]int{}
	}
	want := hours(r.Slot)
	for _, h := range want {
		if slices.Contains(plan.Taken[r.Seat], h) {
			return SeatTaken, nil
		}
	}
	plan.Taken[r.Seat] = append(slices.Clone(plan.Taken[r.Seat]), want...)
	slices.Sort(plan.Taken[r.Seat])
	plan.Rev++
	b, _ := json.Marshal(plan)
	booking, _ := json.Marshal(rooms.Booking{Room: r.Room, Seat: r.Seat, Slot: r.Slot, Patron: r.Patron, Created: s.Now})
	ttl := planTTL(r.Slot.Start, s.Now)
	return Booked, []Write{
		{Key: planKey(r.Room, day), Value: string(b), TTL: ttl},
		{Key: bookingKey(r.Room, r.Seat, r.Slot), Value: string(booking), TTL: ttl},
	}
}
