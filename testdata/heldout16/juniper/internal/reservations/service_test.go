package reservations

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"example.com/juniper/internal/background"
	"example.com/juniper/internal/events"
	"example.com/juniper/internal/kvstore"
)

type fakeLedger struct{ rows map[string]Reservation }

func (f *fakeLedger) Insert(_ context.Context, r Reservation) error { f.rows[r.ID] = r; return nil }
func (f *fakeLedger) Cancel(_ context.Context, id string) (Reservation, error) {
	r := f.rows[id]
	delete(f.rows, id)
	return r, nil
}
func (f *fakeLedger) Summary(context.Context, time.Time) (Summary, error) {
	return Summary{Reservations: len(f.rows)}, nil
}

type okQuota struct{}

func (okQuota) Consume(context.Context, string) error { return nil }

func newTestService(mem *kvstore.Memory) (*Service, *background.Runner) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	bg := background.New(log, time.Second)
	return New(Deps{Store: mem, Ledger: &fakeLedger{rows: map[string]Reservation{}}, Quota: okQuota{},
		Bus: events.New(), Runner: bg, HoldTTL: 7 * time.Minute}), bg
}

func TestBookAndCancel(t *testing.T) {
	mem := kvstore.NewMemory()
	s, bg := newTestService(mem)
	ctx := context.Background()
	hr := HoldRequest{VenueID: "v1", Slot: "2025-06-01T19:30:00Z", PartySize: 2}
	h, err := s.PlaceHold(ctx, hr)
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.Book(ctx, BookRequest{HoldRequest: hr, Name: "A", Email: "a@b.c", HoldKey: h.Key})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mem.Get(ctx, h.Key); err == nil {
		t.Fatal("hold should be released after booking")
	}
	if _, err := s.Cancel(ctx, CancelRequest{ID: r.ID}); err != nil {
		t.Fatal(err)
	}
	if err := bg.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := mem.Get(ctx, "dashboard/summary"); err != nil {
		t.Fatalf("summary not written: %v", err)
	}
}

func TestCartAndWaitlist(t *testing.T) {
	s, _ := newTestService(kvstore.NewMemory())
	ctx := context.Background()
	c, err := s.AddToCart(ctx, AddToCartRequest{ReservationID: "r1", Item: CartItem{SKU: "wine-12", Qty: 1}})
	if err != nil || len(c.Items) != 1 {
		t.Fatalf("cart = %+v %v", c, err)
	}
	c, _ = s.AddToCart(ctx, AddToCartRequest{ReservationID: "r1", Item: CartItem{SKU: "oysters", Qty: 6}})
	if len(c.Items) != 2 {
		t.Fatalf("cart = %+v", c)
	}
	_, _ = s.JoinWaitlist(ctx, JoinWaitlistRequest{VenueID: "v1", Name: "B", PartySize: 3})
	p, _ := s.JoinWaitlist(ctx, JoinWaitlistRequest{VenueID: "v1", Name: "C", PartySize: 2})
	if p.Position != 2 {
		t.Fatalf("position = %d", p.Position)
	}
}
