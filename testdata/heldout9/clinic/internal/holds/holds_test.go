package holds

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"example.com/clinic/internal/config"
	"example.com/clinic/internal/kvstore/memkv"
)

func TestPlaceRefusesSecondPatient(t *testing.T) {
	ctx := context.Background()
	svc := New(memkv.New(), config.Defaults().Holds, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if _, err := svc.Place(ctx, "slot-1", "p1"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Place(ctx, "slot-1", "p2"); !errors.Is(err, ErrSlotTaken) {
		t.Fatalf("second hold: got %v, want ErrSlotTaken", err)
	}
	if _, err := svc.Place(ctx, "slot-2", "p2"); err != nil {
		t.Fatalf("other slot: %v", err)
	}
}

func TestWriterDrainsQueue(t *testing.T) {
	store := memkv.New()
	svc := New(store, config.HoldConfig{TTL: time.Minute, WriterBuffer: 4}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { svc.RunWriter(ctx); close(done) }()
	svc.Enqueue(Hold{SlotID: "s1", PatientID: "p1"})
	deadline := time.Now().Add(time.Second)
	for time.Now().Before(deadline) {
		if _, err := store.Get(context.Background(), "holdview:s1:p1"); err == nil {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	<-done
	if _, err := store.Get(context.Background(), "holdview:s1:p1"); err != nil {
		t.Fatalf("hold view not written: %v", err)
	}
}
