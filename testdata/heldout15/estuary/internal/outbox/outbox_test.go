package outbox

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"example.com/estuary/internal/kvstore/memkv"
)

func TestAppendRelay(t *testing.T) {
	ctx := context.Background()
	o := New(memkv.New(), time.Hour, 2, 10)
	for i := range 5 {
		if _, err := o.Append(ctx, "deliveries", "ingest.acme", map[string]int{"n": i}); err != nil {
			t.Fatal(err)
		}
	}
	var seen []uint64
	down := true
	deliver := func(_ context.Context, ev Event) error {
		if ev.Seq == 4 && down {
			down = false
			return errors.New("partner down")
		}
		seen = append(seen, ev.Seq)
		return nil
	}
	if n, err := o.Relay(ctx, "deliveries", deliver); n != 3 || err == nil {
		t.Fatalf("first relay = %d, %v", n, err)
	}
	if n, err := o.Relay(ctx, "deliveries", deliver); n != 2 || err != nil {
		t.Fatalf("second relay = %d, %v", n, err)
	}
	if len(seen) != 5 || seen[4] != 5 {
		t.Fatalf("delivered %v", seen)
	}
	if pos, _ := o.Position(ctx, "deliveries"); pos != 5 {
		t.Fatalf("position %d", pos)
	}
}

func TestAppendTooLarge(t *testing.T) {
	o := New(memkv.New(), time.Hour, 10, 10)
	_, err := o.Append(context.Background(), "s", "t", strings.Repeat("x", MaxPayload))
	if !errors.Is(err, ErrPayloadTooLarge) {
		t.Fatalf("err = %v", err)
	}
}
