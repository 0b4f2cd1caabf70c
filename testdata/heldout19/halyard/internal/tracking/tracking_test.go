package tracking

import (
	"context"
	"testing"
	"time"

	"example.com/halyard/internal/keys"
	"example.com/halyard/internal/kvstore/memkv"
)

func TestApplyCarrierEvent(t *testing.T) {
	ctx := context.Background()
	kv := memkv.New()
	cmd := NewCommandService(kv)
	q := NewQueryService(kv, kv)

	s := &Shipment{Tenant: "acme", ID: "C100-0001", Customer: "C100", Carrier: "ODFL"}
	if err := cmd.Publish(ctx, s); err != nil {
		t.Fatal(err)
	}
	k := keys.Shipment{Tenant: "acme", ID: "C100-0001"}
	ev := Event{At: time.Now(), Status: StatusInTransit, EventID: "e1"}
	changed, err := cmd.ApplyCarrierEvent(ctx, k, ev)
	if err != nil || !changed {
		t.Fatalf("apply: changed=%v err=%v", changed, err)
	}
	if changed, _ := cmd.ApplyCarrierEvent(ctx, k, ev); changed {
		t.Fatal("duplicate event applied twice")
	}
	got, err := q.Get(ctx, k)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != StatusInTransit || len(got.Events) != 1 {
		t.Fatalf("got %+v", got)
	}
	if _, err := cmd.ApplyCarrierEvent(ctx, keys.Shipment{Tenant: "acme", ID: "nope"}, ev); err != ErrUnknownShipment {
		t.Fatalf("want ErrUnknownShipment, got %v", err)
	}
}

func TestListForCustomerUsesMetadata(t *testing.T) {
	ctx := context.Background()
	kv := memkv.New()
	cmd := NewCommandService(kv)
	for _, id := range []string{"C7-1", "C7-2", "C8-1"} {
		if err := cmd.Publish(ctx, &Shipment{Tenant: "t", ID: id}); err != nil {
			t.Fatal(err)
		}
	}
	page, err := NewQueryService(kv, kv).ListForCustomer(ctx, "t", "C7", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 2 || page.Items[0].Status != StatusBooked {
		t.Fatalf("page = %+v", page)
	}
}
