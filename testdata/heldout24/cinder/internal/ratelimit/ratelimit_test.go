package ratelimit

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/cinder/internal/clock"
	"example.com/cinder/internal/storage"
	"example.com/cinder/internal/storage/memstore"
)

// failingGets is a store whose reads always fail; everything else is real.
type failingGets struct {
	storage.Store
	err error
}

func (f failingGets) Get(context.Context, string) ([]byte, error) { return nil, f.err }

func TestGateAdmitsUpToLimit(t *testing.T) {
	clk := clock.NewManual(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	gate := NewGate(memstore.New(clk), 2, time.Minute, clk)
	ctx := context.Background()
	for i := 0; i < 2; i++ {
		if err := gate(ctx, "t1"); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	if err := gate(ctx, "t1"); !errors.Is(err, ErrLimited) {
		t.Fatalf("third request: %v", err)
	}
}

func TestGatePropagatesStoreErrors(t *testing.T) {
	boom := errors.New("boom")
	gate := NewGate(failingGets{Store: memstore.New(nil), err: boom}, 5, time.Minute, clock.System)
	if err := gate(context.Background(), "t1"); !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
}

func TestHitCounterFlush(t *testing.T) {
	store := memstore.New(nil)
	h := NewHitCounter(store)
	h.Hit("acme")
	h.Hit("acme")
	if err := h.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	b, err := store.Get(context.Background(), "hits:acme")
	if err != nil || string(b) != "2" {
		t.Fatalf("hits = %q, %v", b, err)
	}
}
