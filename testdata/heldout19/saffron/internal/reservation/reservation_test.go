package reservation

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/saffron/internal/config"
	"example.com/saffron/internal/store/memstore"
)

func request(start time.Time) HoldRequest {
	return HoldRequest{Restaurant: "olive-soho", Table: 4, Start: start, Guest: "Mara", Party: 2}
}

func TestHoldThenConfirm(t *testing.T) {
	ctx := context.Background()
	m := memstore.New()
	cmds := NewCommands(m, config.Current)
	start := time.Now().Add(48 * time.Hour).Truncate(time.Hour)

	h, err := cmds.PlaceHold(ctx, request(start))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cmds.PlaceHold(ctx, request(start)); !errors.Is(err, ErrSlotTaken) {
		t.Fatalf("second hold: %v", err)
	}
	if _, err := cmds.Confirm(ctx, h.Slot, "someone-else", ""); !errors.Is(err, ErrHoldMismatch) {
		t.Fatalf("foreign confirm: %v", err)
	}
	if _, err := cmds.Confirm(ctx, h.Slot, h.ID, "window seat"); err != nil {
		t.Fatal(err)
	}
	if _, err := cmds.PlaceHold(ctx, request(start)); !errors.Is(err, ErrSlotTaken) {
		t.Fatalf("booked slot accepted a hold: %v", err)
	}
}

func TestValidate(t *testing.T) {
	bad := request(time.Now().Add(-time.Hour))
	if err := bad.Validate(); !errors.Is(err, ErrInvalid) {
		t.Fatalf("past start accepted: %v", err)
	}
}

func TestHeldSlotsPages(t *testing.T) {
	ctx := context.Background()
	m := memstore.New()
	cmds := NewCommands(m, config.Current)
	day := time.Now().Add(72 * time.Hour).Truncate(24 * time.Hour).Add(18 * time.Hour)
	for table := 1; table <= 5; table++ {
		req := request(day)
		req.Table = table
		if _, err := cmds.PlaceHold(ctx, req); err != nil {
			t.Fatal(err)
		}
	}
	q := NewQueries(m, 2)
	var all []string
	cursor := ""
	for range 5 {
		slots, next, err := q.HeldSlots(ctx, "olive-soho", day, cursor)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, slots...)
		if next == "" {
			break
		}
		cursor = next
	}
	if len(all) != 5 {
		t.Fatalf("got %d slots: %v", len(all), all)
	}
}
