package booking

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/linnet/internal/config"
	"example.com/linnet/internal/storage/memstore"
)

// fakePayments embeds the interface so tests only implement what they use.
type fakePayments struct {
	Payments
	failCapture bool
	released    []string
}

func (f *fakePayments) Reserve(context.Context, string, int) (string, error) { return "hold-1", nil }
func (f *fakePayments) Release(_ context.Context, h string) error {
	f.released = append(f.released, h)
	return nil
}
func (f *fakePayments) Capture(context.Context, string) error {
	if f.failCapture {
		return errors.New("card declined")
	}
	return nil
}

var cfg = config.Booking{HoldFor: 10 * time.Minute, ReminderLead: time.Hour, FreeCancelBefore: 24 * time.Hour}

func TestBookCompensatesOnCaptureFailure(t *testing.T) {
	ctx := context.Background()
	store := memstore.New(nil)
	pay := &fakePayments{failCapture: true}
	svc := New(store, pay, cfg)
	start := time.Now().Add(72 * time.Hour)
	b, err := svc.Book(ctx, Request{Tutor: "T1", Learner: "L1", Start: start, Minutes: 60})
	if err == nil {
		t.Fatal("expected failure")
	}
	if len(pay.released) != 1 {
		t.Fatalf("credits not released: %v", pay.released)
	}
	if _, err := svc.Get(ctx, b.ID); err == nil {
		t.Fatal("booking survived compensation")
	}
	if _, err := store.Get(ctx, holdKey("T1", start)); err == nil {
		t.Fatal("hold survived compensation")
	}
}
