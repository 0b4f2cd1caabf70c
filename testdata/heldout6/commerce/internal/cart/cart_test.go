package cart

import (
	"context"
	"fmt"
	"testing"
	"time"

	"example.com/commerce/internal/adapters/memkv"
	"example.com/commerce/internal/config"
)

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

type seqIDs struct{ n int }

func (s *seqIDs) NewID() string { s.n++; return fmt.Sprintf("id%d", s.n) }

func newService() *Service {
	return NewService(memkv.New(), config.Default().Cart, fixedClock{time.Unix(1_700_000_000, 0)}, &seqIDs{})
}

func TestAddAndRemove(t *testing.T) {
	ctx := context.Background()
	s := newService()
	c, err := s.NewGuest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddItem(ctx, c.ID, Item{SKU: "A", Qty: 1, PriceCents: 500}); err != nil {
		t.Fatal(err)
	}
	c, err = s.AddItem(ctx, c.ID, Item{SKU: "A", Qty: 2, PriceCents: 500})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Items) != 1 || c.Items[0].Qty != 3 || c.Total() != 1500 {
		t.Fatalf("unexpected cart %+v", c)
	}
	c, _ = s.RemoveItem(ctx, c.ID, "A")
	if len(c.Items) != 0 {
		t.Fatalf("item not removed: %+v", c)
	}
}

func TestMergeOnLogin(t *testing.T) {
	ctx := context.Background()
	s := newService()
	g, _ := s.NewGuest(ctx)
	_, _ = s.AddItem(ctx, g.ID, Item{SKU: "B", Qty: 1, PriceCents: 200})
	if err := s.MergeOnLogin(ctx, g.ID, "u1"); err != nil {
		t.Fatal(err)
	}
	u, err := s.Get(ctx, "u:u1")
	if err != nil {
		t.Fatal(err)
	}
	if u.Total() != 200 {
		t.Fatalf("merged total = %d", u.Total())
	}
	if _, err := s.Get(ctx, g.ID); err != ErrNoCart {
		t.Fatalf("guest cart still present: %v", err)
	}
}
