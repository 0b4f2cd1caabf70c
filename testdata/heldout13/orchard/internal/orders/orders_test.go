package orders

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"example.com/orchard/internal/config"
	"example.com/orchard/internal/store/memstore"
)

func TestPlaceAndTransition(t *testing.T) {
	ctx := context.Background()
	var sent []string
	notify := func(_ context.Context, typ string, _ Order) error {
		sent = append(sent, typ)
		return nil
	}
	s := New(memstore.New(), notify, config.DefaultPolicies(), slog.New(slog.NewTextHandler(io.Discard, nil)))

	o1, err := s.Place(ctx, Order{FarmID: "f1", BuyerID: "b1", PickupAt: time.Now().Add(48 * time.Hour),
		Lines: []Line{{ListingID: "l1", Qty: 2, PriceCents: 350}}})
	if err != nil {
		t.Fatal(err)
	}
	o2, _ := s.Place(ctx, Order{FarmID: "f1", BuyerID: "b2", Lines: []Line{{ListingID: "l1", Qty: 1, PriceCents: 350}}})
	if o1.Number != 1 || o2.Number != 2 || o1.TotalCents != 700 {
		t.Fatalf("numbers %d %d total %d", o1.Number, o2.Number, o1.TotalCents)
	}

	if _, err := s.Transition(ctx, o1.ID, PickedUp); err == nil {
		t.Fatal("pending -> picked_up allowed")
	} else {
		var terr *TransitionError
		if !errors.As(err, &terr) || terr.From != Pending {
			t.Fatalf("err = %v", err)
		}
	}
	for _, to := range []Status{Confirmed, Packed, PickedUp} {
		if _, err := s.Transition(ctx, o1.ID, to); err != nil {
			t.Fatalf("-> %s: %v", to, err)
		}
	}
	if len(sent) != 5 {
		t.Fatalf("events = %v", sent)
	}
}

func TestTerminal(t *testing.T) {
	if !Cancelled.Terminal() || Pending.Terminal() {
		t.Fatal("terminal states wrong")
	}
}
