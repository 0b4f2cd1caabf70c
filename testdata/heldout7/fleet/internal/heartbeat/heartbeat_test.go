package heartbeat_test

import (
	"context"
	"testing"
	"time"

	"example.com/fleet/internal/heartbeat"
	"example.com/fleet/internal/store/memstore"
)

func TestRecordAndLookup(t *testing.T) {
	ctx := context.Background()
	s := memstore.New()
	r := heartbeat.NewRecorder(s, heartbeat.Config{StatusTTL: 10 * time.Minute, Interval: time.Minute})
	st := heartbeat.Status{DeviceID: "dev-1", Firmware: "2024.11", Uptime: 60, SeenAt: time.Now()}
	for range 2 {
		if err := r.Record(ctx, st); err != nil {
			t.Fatal(err)
		}
	}
	got, err := r.Lookup(ctx, "dev-1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Firmware != "2024.11" {
		t.Fatalf("status = %+v", got)
	}
	if b, _ := s.Get(ctx, "hb:count:dev-1"); string(b) != "2" {
		t.Fatalf("count = %q", b)
	}
}
