package orders

import (
	"context"
	"testing"
	"time"

	"example.com/orchard/internal/config"
	"example.com/orchard/internal/kvstore/memkv"
)

type fakeOutbox struct{ topics []string }

func (f *fakeOutbox) Enqueue(_ context.Context, topic string, _ []byte) error {
	f.topics = append(f.topics, topic)
	return nil
}

func TestPlaceAndProject(t *testing.T) {
	ctx := context.Background()
	cfg, _ := config.Parse(nil)
	box := &fakeOutbox{}
	s := NewService(memkv.New(), box, cfg.Keys)

	o, err := s.Place(ctx, "acct-1", []Line{{SKU: "APL-1", Qty: 3, PriceCents: 450}}, time.Now().Add(48*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if o.Total != 1350 || len(box.topics) != 1 {
		t.Fatalf("total=%d topics=%v", o.Total, box.topics)
	}
	if _, err := s.SetStatus(ctx, o.ID, "packed"); err != nil {
		t.Fatal(err)
	}
	v, err := s.Rebuild(ctx, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if v.Status != "packed" || v.Events != 2 || v.Lines != 1 {
		t.Fatalf("view = %+v", v)
	}
}

func TestEventBinaryRoundTrip(t *testing.T) {
	in := Event{Kind: EventStatus, Seq: 7, At: time.UnixMilli(1_700_000_000_123), Payload: []byte(`{"status":"x"}`)}
	b, err := in.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var out Event
	if err := out.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if out.Seq != 7 || !out.At.Equal(in.At) || string(out.Payload) != string(in.Payload) {
		t.Fatalf("got %+v", out)
	}
}
