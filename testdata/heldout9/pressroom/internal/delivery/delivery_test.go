package delivery

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"example.com/pressroom/internal/store/memstore"
)

func TestRecord(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	r := NewRecorder(ctx, st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	at := time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC)
	for i, kind := range []string{Delivered, Delivered, Bounced} {
		ev := Event{MessageID: string(rune('a' + i)), CampaignID: "c1", Recipient: "x@y", Kind: kind, At: at}
		if err := r.Record(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	r.Close()

	if v, _, _ := st.Get(ctx, "delivered:c1"); v != "2" {
		t.Fatalf("delivered = %q", v)
	}
	tl, err := r.timelines.Get(ctx, "c1")
	if err != nil || len(tl.Events) != 3 {
		t.Fatalf("timeline = %+v, %v", tl, err)
	}
	if _, ok, _ := st.Get(ctx, "delivery:c"); !ok {
		t.Fatal("per-message record missing")
	}
}

func TestDecode(t *testing.T) {
	if _, err := Decode([]byte(`{"message_id":"m"}`)); err == nil {
		t.Fatal("want error for missing campaign")
	}
	ev, err := Decode([]byte(`{"message_id":"m","campaign_id":"c","kind":"bounced"}`))
	if err != nil || ev.Kind != Bounced {
		t.Fatalf("Decode = %+v, %v", ev, err)
	}
}
