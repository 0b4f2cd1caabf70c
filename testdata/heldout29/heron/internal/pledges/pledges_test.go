package pledges

import (
	"context"
	"testing"
	"time"

	"example.com/heron/internal/domain"
	"example.com/heron/internal/events"
	"example.com/heron/internal/platform/memkv"
)

func TestCreateAndRefundIdempotency(t *testing.T) {
	ctx := context.Background()
	bus := &events.Bus{}
	s := New(memkv.New(), "pledges", bus, WithReminderLead(24*time.Hour))
	var got []domain.Pledge
	bus.On(events.PledgeReceived{}.EventName(), func(_ context.Context, e events.Event) error {
		got = append(got, e.(events.PledgeReceived).Pledge)
		return nil
	})
	p, err := s.Create(ctx, CreateReq{DonorID: "d1", Fund: "Acquisitions", AmountCts: 25000, DueAt: time.Now().Add(30 * 24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != p.ID {
		t.Fatalf("events = %+v", got)
	}
	ack, err := s.RecordRefund(ctx, RefundEvent{ID: "evt_1", PaymentID: "pay_1", AmountCts: 100})
	if err != nil || ack.Duplicate {
		t.Fatalf("first refund: %+v %v", ack, err)
	}
	ack, err = s.RecordRefund(ctx, RefundEvent{ID: "evt_1"})
	if err != nil || !ack.Duplicate {
		t.Fatalf("replayed refund: %+v %v", ack, err)
	}
}

func TestRecordPaymentReplaysReceipt(t *testing.T) {
	ctx := context.Background()
	s := New(memkv.New(), "pledges", &events.Bus{})
	evt := PaymentEvent{ID: "pay_9", IdempotencyKey: "k-9", PledgeID: "p", AmountCts: 500}
	first, err := s.RecordPayment(ctx, evt)
	if err != nil || first.Replayed {
		t.Fatalf("first: %+v %v", first, err)
	}
	again, err := s.RecordPayment(ctx, evt)
	if err != nil || !again.Replayed || again.PaymentID != "pay_9" {
		t.Fatalf("again: %+v %v", again, err)
	}
}
