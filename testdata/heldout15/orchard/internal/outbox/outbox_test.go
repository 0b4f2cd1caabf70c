package outbox

import (
	"context"
	"errors"
	"testing"

	"example.com/orchard/internal/config"
	"example.com/orchard/internal/kvstore/memkv"
)

type recorder struct{ got []string }

func (r *recorder) Publish(_ context.Context, topic string, body []byte) error {
	r.got = append(r.got, topic+":"+string(body))
	return nil
}

func TestDrainOnce(t *testing.T) {
	ctx := context.Background()
	kv := memkv.New()
	cfg := config.Outbox{MaxPages: 5, PageSize: 2}
	box := New(kv, cfg)
	for _, b := range []string{"a", "b", "c"} {
		if err := box.Enqueue(ctx, "t", []byte(b)); err != nil {
			t.Fatal(err)
		}
	}
	rec := &recorder{}
	relay := NewRelay(kv, rec, cfg)
	if n, err := relay.Drain(ctx); err != nil || n != 3 {
		t.Fatalf("first drain: %d, %v", n, err)
	}
	if n, _ := relay.Drain(ctx); n != 0 {
		t.Fatalf("second drain sent %d", n)
	}
	if err := box.Enqueue(ctx, "t", make([]byte, 700)); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("large body: %v", err)
	}
}
