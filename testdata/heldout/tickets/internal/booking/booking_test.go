package booking

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strconv"
	"testing"
	"time"

	"example.com/tickets/internal/domain"
	"example.com/tickets/internal/memstore"
	"example.com/tickets/internal/repo"
)

type fakeEvents map[string]*domain.Event

func (f fakeEvents) Get(_ context.Context, id string) (*domain.Event, error) {
	if ev, ok := f[id]; ok {
		return ev, nil
	}
	return nil, domain.ErrNotFound
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func newTestCheckout(t *testing.T, now time.Time) (*Checkout, *memstore.Store) {
	t.Helper()
	store := memstore.NewWithClock(func() time.Time { return now })
	evs := fakeEvents{"ev1": {
		ID: "ev1", Capacity: 10, PriceCents: 2500,
		SalesStart: now.Add(-time.Hour), SalesEnd: now.Add(time.Hour),
		StartsAt: now.Add(24 * time.Hour),
	}}
	c := NewCheckout(CheckoutConfig{MaxPerCustomer: 4}, evs, repo.NewRepo[domain.Order](store, "order:"), store, nil, quiet)
	c.now = func() time.Time { return now }
	if err := c.SeedInventory(context.Background(), evs["ev1"]); err != nil {
		t.Fatal(err)
	}
	return c, store
}

func readInt(t *testing.T, s *memstore.Store, key string) int {
	t.Helper()
	raw, err := s.Get(context.Background(), key)
	if err != nil {
		t.Fatalf("get %s: %v", key, err)
	}
	n, err := strconv.Atoi(string(raw))
	if err != nil {
		t.Fatalf("%s = %q", key, raw)
	}
	return n
}

func TestPlaceOrderUpdatesInventoryAndQuota(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	c, store := newTestCheckout(t, now)

	o, err := c.PlaceOrder(ctx, OrderRequest{EventID: "ev1", UserID: "u1", Seats: []string{"A1", "A2"}})
	if err != nil {
		t.Fatal(err)
	}
	if o.Number != 100001 || o.TotalCents != 5000 {
		t.Fatalf("unexpected order %+v", o)
	}
	inv, err := repo.GetJSON[domain.Inventory](ctx, store, "inventory:ev1")
	if err != nil {
		t.Fatal(err)
	}
	if inv.Remaining != 8 {
		t.Fatalf("remaining = %d, want 8", inv.Remaining)
	}
	if got := readInt(t, store, "purchased:ev1:u1"); got != 2 {
		t.Fatalf("purchased = %d, want 2", got)
	}
	ids, err := c.UserOrders(ctx, "u1")
	if err != nil || len(ids) != 1 || ids[0] != o.ID {
		t.Fatalf("user orders = %v, %v", ids, err)
	}
}

func TestPlaceOrderEnforcesQuota(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	c, store := newTestCheckout(t, now)
	if err := store.Set(ctx, "purchased:ev1:u1", []byte("3"), 0); err != nil {
		t.Fatal(err)
	}
	_, err := c.PlaceOrder(ctx, OrderRequest{EventID: "ev1", UserID: "u1", Seats: []string{"B1", "B2"}})
	if !errors.Is(err, domain.ErrQuotaExceeded) {
		t.Fatalf("err = %v, want quota exceeded", err)
	}
}

func TestCancelIsIdempotent(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	c, _ := newTestCheckout(t, now)
	o, err := c.PlaceOrder(ctx, OrderRequest{EventID: "ev1", UserID: "u1", Seats: []string{"C1"}})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		got, err := c.Cancel(ctx, o.ID, "u1")
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != domain.OrderCancelled {
			t.Fatalf("status = %s", got.Status)
		}
	}
	if _, err := c.Cancel(ctx, o.ID, "someone-else"); !errors.Is(err, domain.ErrForbidden) {
		t.Fatalf("err = %v, want forbidden", err)
	}
}

func TestHoldConflictsAndExpiry(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	store := memstore.NewWithClock(clock)
	svc := NewHoldService(repo.NewRepo[domain.Hold](store, "hold:"), store, quiet,
		WithClock(clock), WithHoldDuration(10*time.Minute))

	if _, err := svc.Hold(ctx, "ev1", "a1", "u1"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Hold(ctx, "ev1", "A1", "u2"); !errors.Is(err, domain.ErrSeatHeld) {
		t.Fatalf("second hold err = %v, want ErrSeatHeld", err)
	}
	seats, err := svc.HeldSeats(ctx, "ev1")
	if err != nil || len(seats) != 1 || seats[0] != "A1" {
		t.Fatalf("held seats = %v, %v", seats, err)
	}

	now = now.Add(11 * time.Minute)
	if _, err := svc.Hold(ctx, "ev1", "A1", "u2"); err != nil {
		t.Fatalf("hold after expiry: %v", err)
	}
}
