package orders

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/estuary/internal/config"
	"example.com/estuary/internal/ids"
	"example.com/estuary/internal/kvstore/memkv"
	"example.com/estuary/internal/projection"
)

var keys = config.KeyFormats{Order: "acct/%[1]s/order/%[2]s"}

type recorder []projection.Event

func (r *recorder) Apply(_ context.Context, ev projection.Event) error {
	*r = append(*r, ev)
	return nil
}

func TestBinaryRoundTrip(t *testing.T) {
	now := time.Date(2024, 3, 9, 8, 7, 6, 5, time.UTC)
	in := &Order{ID: ids.NewOrderID(), Account: "acme", Status: Paid, AmountCents: 1999, Created: now, Updated: now.Add(time.Hour)}
	b, err := in.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var out Order
	if err := out.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if out != *in {
		t.Fatalf("round trip:\n got %+v\nwant %+v", out, *in)
	}
}

func TestLifecycle(t *testing.T) {
	ctx := context.Background()
	var events recorder
	s := NewService(memkv.New(), keys, &events, time.Hour)
	o, err := s.Create(ctx, "acme", 2500)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Transition(ctx, "acme", o.ID, Shipped); !errors.Is(err, ErrBadTransition) {
		t.Fatalf("pending -> shipped: %v", err)
	}
	if _, err := s.Transition(ctx, "acme", o.ID, Paid); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(ctx, "acme", o.ID)
	if err != nil || got.Status != Paid {
		t.Fatalf("Get = %+v, %v", got, err)
	}
	if len(events) != 2 || events[1].Kind != "paid" {
		t.Fatalf("events = %+v", events)
	}
	items, cursor, err := s.Page(ctx, "acme", "")
	if err != nil || len(items) != 1 || items[0].Status != "paid" || cursor != "" {
		t.Fatalf("Page = %+v, %q, %v", items, cursor, err)
	}
}

func TestGetMissing(t *testing.T) {
	s := NewService(memkv.New(), keys, new(recorder), time.Hour)
	if _, err := s.Get(context.Background(), "acme", ids.NewOrderID()); err == nil {
		t.Fatal("Get of a missing order succeeded")
	}
}

func TestParseStatus(t *testing.T) {
	for st := range statusNames {
		got, err := ParseStatus(st.String())
		if err != nil || got != st {
			t.Errorf("ParseStatus(%q) = %v, %v", st, got, err)
		}
	}
}
