package invoice_test

import (
	"context"
	"testing"
	"time"

	"example.com/billing/internal/clock"
	"example.com/billing/internal/invoice"
	"example.com/billing/internal/kvstore"
	"example.com/billing/internal/kvstore/kvtest"
)

type flatCoupon int64

func (f flatCoupon) Quote(context.Context, string, int64) (int64, error) { return int64(f), nil }

type payLinks struct{}

func (payLinks) Create(_ context.Context, f invoice.Final) (string, error) {
	return "https://pay.example.com/" + f.Number, nil
}

func TestDraftLifecycle(t *testing.T) {
	ctx := context.Background()
	mem := kvtest.New()
	clk := clock.NewManual(time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC))
	drafts := kvstore.NewStore[invoice.Draft](mem, func(id string) string { return "invoice:draft:" + id })
	finals := kvstore.NewStore[invoice.Final](mem, func(n string) string { return "invoice:final:" + n })
	svc := invoice.NewService(drafts, finals, mem, clk, flatCoupon(500), payLinks{},
		invoice.WithIDs(func() string { return "abcdef123456" }))

	d, err := svc.Create(ctx, "cus_1", "usd", time.Now().Add(30*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AddLine(ctx, d.ID, invoice.Line{Description: "API calls", Quantity: 1000, UnitCents: 2}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AddLine(ctx, d.ID, invoice.Line{Description: "Seats", Quantity: 3, UnitCents: 1500}); err != nil {
		t.Fatal(err)
	}
	d, err = svc.ApplyCoupon(ctx, d.ID, "SPRING")
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Subtotal(); got != 6500 {
		t.Fatalf("subtotal = %d", got)
	}
	f, err := svc.Finalize(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if f.TotalCents != 6000 {
		t.Fatalf("total = %d", f.TotalCents)
	}
	if _, err := drafts.Get(ctx, d.ID); !kvstore.IsNotFound(err) {
		t.Fatalf("draft still present: %v", err)
	}
}
