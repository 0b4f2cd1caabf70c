package webhook_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/billing/internal/clock"
	"example.com/billing/internal/kvstore/kvtest"
	"example.com/billing/internal/webhook"
)

func TestDuplicateDelivery(t *testing.T) {
	mem := kvtest.New()
	clk := clock.NewManual(time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC))
	mem.Now = clk.Now
	p := webhook.NewProcessor(webhook.Deps{Load: mem.Get, Save: mem.Put, Forget: mem.Delete, Clock: clk}, time.Hour)
	calls := 0
	p.On("invoice.paid", func(context.Context, webhook.Event) error { calls++; return nil })

	ev := webhook.Event{Provider: "stripe", ID: "evt_1", Type: "invoice.paid", CustomerID: "cus_1"}
	if err := p.Handle(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	if err := p.Handle(context.Background(), ev); !errors.Is(err, webhook.ErrDuplicate) {
		t.Fatalf("second delivery: got %v, want ErrDuplicate", err)
	}
	if calls != 1 {
		t.Fatalf("handler ran %d times", calls)
	}
}

func TestFailedDeliveryIsRetried(t *testing.T) {
	mem := kvtest.New()
	clk := clock.NewManual(time.Now())
	p := webhook.NewProcessor(webhook.Deps{Load: mem.Get, Save: mem.Put, Forget: mem.Delete, Clock: clk}, time.Hour, webhook.WithMaxAttempts(2))
	boom := errors.New("boom")
	p.On("invoice.payment_failed", func(context.Context, webhook.Event) error { return boom })

	ev := webhook.Event{Provider: "stripe", ID: "evt_2", Type: "invoice.payment_failed"}
	if err := p.Handle(context.Background(), ev); !errors.Is(err, boom) {
		t.Fatalf("first attempt: %v", err)
	}
	if err := p.Handle(context.Background(), ev); err != nil {
		t.Fatalf("second attempt should park: %v", err)
	}
	if _, err := mem.Get(context.Background(), "whk:parked:stripe:evt_2"); err != nil {
		t.Fatalf("event not parked: %v", err)
	}
}
