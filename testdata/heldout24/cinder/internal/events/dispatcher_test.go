package events

import (
	"context"
	"testing"
	"time"

	"example.com/cinder/internal/clock"
	"example.com/cinder/internal/domain"
	"example.com/cinder/internal/storage/memstore"
)

func TestHandleBatchProjects(t *testing.T) {
	clk := clock.NewManual(time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC))
	store := memstore.New(clk)
	plans := func(context.Context, string) (domain.Plan, error) { return domain.PlanTeam, nil }
	d := NewDispatcher(store, plans, clk)

	sent := &domain.InvoiceSent{InvoiceID: "i1"}
	sent.TenantID, sent.At = "acme", clk.Now()
	sub := &domain.ExpenseSubmitted{ExpenseID: "e1", AmountCents: 1200}
	sub.TenantID, sub.At = "acme", clk.Now()

	if err := d.HandleBatch(context.Background(), []domain.Event{sent, sub, sent}); err != nil {
		t.Fatal(err)
	}
	b, err := store.ForTenant("acme").Get(context.Background(), "count:invoices-sent")
	if err != nil || string(b) != "2" {
		t.Fatalf("count = %q, %v", b, err)
	}
}

func TestDecodeRoundTrip(t *testing.T) {
	ev := &domain.ConfigChanged{Version: 3}
	ev.TenantID = "acme"
	raw, err := domain.EncodeEvent(ev)
	if err != nil {
		t.Fatal(err)
	}
	back, err := domain.DecodeEvent(raw)
	if err != nil {
		t.Fatal(err)
	}
	if c, ok := back.(*domain.ConfigChanged); !ok || c.Version != 3 || c.Tenant() != "acme" {
		t.Fatalf("decoded %#v", back)
	}
}
