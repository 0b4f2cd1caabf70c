package holds_test

import (
	"context"
	"testing"
	"time"

	"example.com/juniper/internal/config"
	"example.com/juniper/internal/holds"
	"example.com/juniper/internal/store"
)

// failing is a Raw fake whose writes always fail.
type failing struct{ store.Memory }

func (*failing) Put(context.Context, string, []byte, ...store.PutOption) error {
	return context.DeadlineExceeded
}

func TestCreateAndGet(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	svc := holds.NewService(store.NewMemory(),
		holds.WithConfig(config.HoldsConfig{Duration: 10 * time.Minute, MaxPerBuy: 4}),
		holds.WithNow(func() time.Time { return now }))
	ctx := context.Background()
	h, err := svc.Create(ctx, "ev1", "buyer", []string{"A1", "A2"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := svc.Get(ctx, "ev1", h.ID)
	if err != nil || got.ID != h.ID {
		t.Fatalf("got %+v, %v", got, err)
	}
	if _, err := svc.Create(ctx, "ev1", "buyer", make([]string, 5)); err != holds.ErrTooManySeats {
		t.Fatalf("want ErrTooManySeats, got %v", err)
	}
}

func TestCreateReportsStoreErrors(t *testing.T) {
	f := &failing{}
	svc := holds.NewService(f)
	if _, err := svc.Create(context.Background(), "ev1", "b", []string{"A1"}); err == nil {
		t.Fatal("expected error")
	}
}
