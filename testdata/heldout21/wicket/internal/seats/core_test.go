package seats

import (
	"testing"
	"time"

	"example.com/wicket/internal/domain/rooms"
)

func TestDecideBooking(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	slot, err := rooms.NewSlot(time.Date(2026, 3, 2, 14, 0, 0, 0, time.UTC), 2)
	if err != nil {
		t.Fatal(err)
	}
	req := Request{Room: "cen-quiet-2", Seat: "A14", Slot: slot, Patron: "p-1"}

	out, writes := DecideBooking(Snapshot{Now: now}, req)
	if out != Booked || len(writes) != 2 {
		t.Fatalf("got %v with %d writes", out, len(writes))
	}

	plan := rooms.DayPlan{Room: req.Room, Day: "2026-03-02", Taken: map[rooms.SeatID][]int{"A14": {15}}}
	if out, writes := DecideBooking(Snapshot{Plan: plan, HasPlan: true, Now: now}, req); out != SeatTaken || writes != nil {
		t.Fatalf("overlap: got %v, %v", out, writes)
	}

	late := Snapshot{Now: slot.Start.Add(time.Minute)}
	if out, _ := DecideBooking(late, req); out != InThePast {
		t.Fatalf("late booking: got %v", out)
	}
}
