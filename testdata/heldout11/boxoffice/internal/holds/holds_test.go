package holds

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/boxoffice/internal/config"
	"example.com/boxoffice/internal/kvkey"
	"example.com/boxoffice/internal/storage/memstore"
)

func newService(t *testing.T) (*Service, *memstore.Store) {
	t.Helper()
	st := memstore.New()
	cfg := config.Defaults()
	cfg.HoldTTL = 5 * time.Minute
	return New(st, cfg), st
}

func TestHoldRejectsSecondBuyer(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService(t)
	if _, err := svc.Hold(ctx, "ev1", []string{"A 1"}, "alice"); err != nil {
		t.Fatalf("first hold: %v", err)
	}
	held, err := svc.Hold(ctx, "ev1", []string{"A 2", "A 1", "A 3"}, "bob")
	if !errors.Is(err, ErrSeatTaken) || len(held) != 1 {
		t.Fatalf("second hold: got %d held, %v; want 1 and ErrSeatTaken", len(held), err)
	}
	cart, err := svc.carts.Get(ctx, "alice")
	if err != nil {
		t.Fatalf("cart: %v", err)
	}
	if len(cart.Holds) != 1 || cart.Holds[0] != kvkey.Hold("ev1", "A 1").String() {
		t.Fatalf("cart holds = %v", cart.Holds)
	}
}

func TestConfirmIssuesTickets(t *testing.T) {
	ctx := context.Background()
	svc, st := newService(t)
	if _, err := svc.Hold(ctx, "ev2", []string{"B1", "B2"}, "carol"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Confirm(ctx, "dave", "ev2", []string{"B1"}); !errors.Is(err, ErrNotYours) {
		t.Fatalf("confirm by another buyer: %v", err)
	}
	rec, err := svc.Confirm(ctx, "carol", "ev2", []string{"B1", "B2"})
	if err != nil {
		t.Fatalf("confirm: %v", err)
	}
	if len(rec.Tickets) != 2 {
		t.Fatalf("tickets = %d, want 2", len(rec.Tickets))
	}
	if _, err := svc.Get(ctx, "ev2", "B1"); err == nil {
		t.Fatal("hold still present after confirm")
	}
	if _, err := st.Get(ctx, kvkey.Ticket("ev2", rec.Tickets[0]).String()); err != nil {
		t.Fatalf("ticket not stored: %v", err)
	}
}

func TestSeatMapIsCached(t *testing.T) {
	ctx := context.Background()
	svc, st := newService(t)
	if _, err := svc.Hold(ctx, "ev3", []string{"C3", "C1", "C2"}, "erin"); err != nil {
		t.Fatal(err)
	}
	m, err := svc.SeatMap(ctx, "ev3")
	if err != nil {
		t.Fatal(err)
	}
	if got := len(m.Held); got != 3 || m.Held[0] != "C1" {
		t.Fatalf("held = %v", m.Held)
	}
	if _, err := svc.Hold(ctx, "ev3", []string{"C4"}, "erin"); err != nil {
		t.Fatal(err)
	}
	m2, _ := svc.SeatMap(ctx, "ev3")
	if len(m2.Held) != 3 {
		t.Fatalf("seat map rebuilt before expiry: %v", m2.Held)
	}
	if st.Writes[kvkey.Event("ev3").Child("seatmap").String()] != 1 {
		t.Fatal("seat map written more than once")
	}
}
