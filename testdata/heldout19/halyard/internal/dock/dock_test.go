package dock

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/halyard/internal/keys"
	"example.com/halyard/internal/kvstore/memkv"
)

func TestHoldAndConfirm(t *testing.T) {
	ctx := context.Background()
	s := NewScheduler(memkv.New(), 20*time.Minute)
	door := keys.Door{Facility: "RNO1", Door: 7, Day: time.Now().Add(24 * time.Hour)}

	if _, err := s.PlaceHold(ctx, door, 3, "ODFL", "dispatcher-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PlaceHold(ctx, door, 3, "XPO", "dispatcher-2"); !errors.Is(err, ErrSlotTaken) {
		t.Fatalf("second hold: %v", err)
	}
	r, err := s.Confirm(ctx, door, 3, "BK1")
	if err != nil {
		t.Fatal(err)
	}
	if r.Carrier != "ODFL" {
		t.Fatalf("reservation = %+v", r)
	}
	if _, err := s.Confirm(ctx, door, 4, "BK2"); !errors.Is(err, ErrHoldExpired) {
		t.Fatalf("confirm without hold: %v", err)
	}
}

func TestWaitlistOrder(t *testing.T) {
	ctx := context.Background()
	s := NewScheduler(memkv.New(), 20*time.Minute)
	door := keys.Door{Facility: "RNO1", Door: 2, Day: time.Now()}
	for i, load := range []string{"L1", "L2", "L1"} {
		pos, err := s.JoinWaitlist(ctx, door, "ODFL", load)
		if err != nil {
			t.Fatal(err)
		}
		want := []int{1, 2, 1}[i]
		if pos != want {
			t.Fatalf("join %s: pos %d, want %d", load, pos, want)
		}
	}
}
