package berth

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"example.com/harbor/internal/storage/memstore"
)

func newTestService() *Service {
	return NewService(memstore.New(), slog.New(slog.NewTextHandler(io.Discard, nil)))
}

func TestBookingLifecycle(t *testing.T) {
	ctx := context.Background()
	s := newTestService()
	eta := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
	b, err := s.Request(ctx, Request{VesselIMO: "9321483", Berth: "EMX-3", Operator: "op1", ETA: eta, ETD: eta.Add(20 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if b, err = s.Transition(ctx, b.ID, Confirmed, "planner", ""); err != nil {
		t.Fatal(err)
	}
	if b.Status != Confirmed || len(b.History) != 2 {
		t.Fatalf("got %s with %d history entries", b.Status, len(b.History))
	}
	_, err = s.Transition(ctx, b.ID, Departed, "planner", "")
	var terr *TransitionError
	if !errors.As(err, &terr) || terr.From != Confirmed {
		t.Fatalf("want TransitionError from confirmed, got %v", err)
	}
	entries, cursor, err := s.Schedule(ctx, "EMX-3", eta, "")
	if err != nil || len(entries) != 1 || cursor != "" {
		t.Fatalf("schedule = %v, %q, %v", entries, cursor, err)
	}
	if entries[0].VesselIMO != "9321483" || !entries[0].ETA.Equal(eta) {
		t.Fatalf("entry = %+v", entries[0])
	}
}

func TestRequestValidation(t *testing.T) {
	_, err := newTestService().Request(context.Background(), Request{VesselIMO: "123", Berth: "A"})
	var verr *ValidationError
	if !errors.As(err, &verr) || verr.Field != "vessel_imo" {
		t.Fatalf("got %v", err)
	}
}

func TestLockConflict(t *testing.T) {
	ctx := context.Background()
	s := newTestService()
	if err := s.Lock(ctx, "EMX-3", "alice"); err != nil {
		t.Fatal(err)
	}
	if err := s.Lock(ctx, "EMX-3", "alice"); err != nil {
		t.Fatalf("re-lock by owner: %v", err)
	}
	var cerr *ConflictError
	if err := s.Lock(ctx, "EMX-3", "bob"); !errors.As(err, &cerr) || cerr.Owner != "alice" {
		t.Fatalf("got %v", err)
	}
}

func TestTransitionUnknown(t *testing.T) {
	if _, err := newTestService().Transition(context.Background(), "nope", Confirmed, "x", ""); !errors.Is(err, ErrNotFound) {
		t.Fatalf("got %v", err)
	}
}
