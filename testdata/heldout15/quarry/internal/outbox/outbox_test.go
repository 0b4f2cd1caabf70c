package outbox

import (
	"context"
	"testing"

	"example.com/quarry/internal/config"
	"example.com/quarry/internal/storage/memstore"
)

func TestAppendRelay(t *testing.T) {
	ctx := context.Background()
	cfg := config.Default()
	st := memstore.New()
	o := New(st, cfg.Keys, config.Outbox{Batch: 2, EventTTL: cfg.Outbox.EventTTL})
	for i := 0; i < 3; i++ {
		if _, err := o.Append(ctx, "query.created", "acme", map[string]int{"i": i}); err != nil {
			t.Fatal(err)
		}
	}
	var got []int64
	pub := func(_ context.Context, ev Event) error { got = append(got, ev.Seq); return nil }
	n, more, err := o.Relay(ctx, pub)
	if err != nil || n != 2 || !more {
		t.Fatalf("first relay: %d %v %v", n, more, err)
	}
	n, more, err = o.Relay(ctx, pub)
	if err != nil || n != 1 || more {
		t.Fatalf("second relay: %d %v %v", n, more, err)
	}
	if len(got) != 3 || got[0] != 1 || got[2] != 3 {
		t.Fatalf("published %v", got)
	}
}
