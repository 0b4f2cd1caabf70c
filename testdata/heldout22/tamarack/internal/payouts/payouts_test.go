package payouts

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
)

// fakeLedger keeps balances in memory under a lock, which is what the
// production ledger would need a single writer for.
type fakeLedger struct {
	mu       sync.Mutex
	balances map[string]int64
}

func (f *fakeLedger) Balance(_ context.Context, vendor string) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.balances[vendor], nil
}

func (f *fakeLedger) SetBalance(_ context.Context, vendor string, cents int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.balances[vendor] = cents
	return nil
}

func TestRecordSale(t *testing.T) {
	l := &fakeLedger{balances: map[string]int64{}}
	s := NewService(nil, l, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx := context.Background()
	for _, c := range []int64{450, 1200} {
		if err := s.RecordSale(ctx, "taco-truck", c); err != nil {
			t.Fatal(err)
		}
	}
	if got := l.balances["taco-truck"]; got != 1650 {
		t.Errorf("balance = %d, want 1650", got)
	}
	if err := s.RecordSale(ctx, "taco-truck", -5); err == nil {
		t.Error("negative sale accepted")
	}
}
