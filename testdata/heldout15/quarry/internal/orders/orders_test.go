package orders

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/quarry/internal/storage"
	"example.com/quarry/internal/storage/memstore"
)

func TestWireRoundTrip(t *testing.T) {
	in := Order{Account: "acme", Items: []Item{{"credits-100", 2, 1500}, {"export", 1, 900}}, TotalCents: 3900, Created: time.Unix(1_700_000_000, 0).UTC()}
	in.ID[0] = 7
	b, err := in.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var out Order
	if err := out.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if out.ID != in.ID || out.Account != in.Account || len(out.Items) != 2 || out.Items[1].SKU != "export" || out.TotalCents != 3900 || !out.Created.Equal(in.Created) {
		t.Fatalf("got %+v", out)
	}
	if err := out.UnmarshalBinary(b[:len(b)-3]); err == nil {
		t.Fatal("truncated record accepted")
	}
}

func TestCartAndOrders(t *testing.T) {
	ctx := context.Background()
	s := NewService(memstore.New(), "cart/%s", "acct/%[1]s/orders/%[2]s", time.Hour)
	if _, err := s.AddToCart(ctx, "u1", Item{"credits-100", 1, 1500}); err != nil {
		t.Fatal(err)
	}
	c, err := s.AddToCart(ctx, "u1", Item{"credits-100", 2, 1500})
	if err != nil || len(c.Items) != 1 || c.Items[0].Qty != 2 {
		t.Fatalf("cart %+v %v", c, err)
	}
	o, err := s.Place(ctx, "acme", c.Items)
	if err != nil || o.TotalCents != 3000 {
		t.Fatalf("order %+v %v", o, err)
	}
	got, err := s.Get(ctx, "acme", o.ID)
	if err != nil || got.ID != o.ID {
		t.Fatalf("get %+v %v", got, err)
	}
	ids, next, err := s.List(ctx, "acme", "", 10)
	if err != nil || len(ids) != 1 || next != "" {
		t.Fatalf("list %v %q %v", ids, next, err)
	}
	var missing = o.ID
	missing[0] ^= 0xff
	if _, err := s.Get(ctx, "acme", missing); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("want not found, got %v", err)
	}
}
