package queueconsumer

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"testing"
	"time"

	"example.com/ledger/internal/config"
	"example.com/ledger/internal/consts"
	"example.com/ledger/internal/ledger/giftcard"
	"example.com/ledger/internal/ledger/points"
	"example.com/ledger/internal/storage/memstore"
)

func TestHandleAppliesAndDedupes(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	pts := points.New(st, config.Points{PerDollar: 10, QuoteWindow: time.Minute, StatementDays: 30})
	cards := giftcard.New(st, config.Cards{Validity: time.Hour, CodeLength: 12, MaxBatch: 10})
	c := New(st, pts, cards, config.Queue{Concurrency: 2, MaxRetries: 1}, time.Hour, slog.New(slog.NewTextHandler(io.Discard, nil)))

	acked, retried := 0, 0
	msg := func(ev Event) Message {
		b, _ := json.Marshal(ev)
		return Message{ID: ev.ID, Body: b, Ack: func() { acked++ }, Retry: func() { retried++ }}
	}
	batch := []Message{
		msg(Event{ID: "e1", Op: OpPurchase, ShopID: "s1", CustomerID: "c1", Amount: 1000}),
		msg(Event{ID: "e2", Op: "bogus", ShopID: "s1"}),
	}
	if err := c.Handle(ctx, batch); err != nil {
		t.Fatal(err)
	}
	if acked != 1 || retried != 1 {
		t.Fatalf("acked=%d retried=%d", acked, retried)
	}
	if err := c.Handle(ctx, batch[:1]); err != nil {
		t.Fatal(err)
	}
	a, err := pts.Balance(ctx, "s1", "c1")
	if err != nil || a.Balance != 100 {
		t.Fatalf("balance after redelivery: %+v %v", a, err)
	}
	if _, err := st.Get(ctx, consts.PrefixReceipt.Key("s1", "e1")); err != nil {
		t.Fatalf("receipt: %v", err)
	}
}
