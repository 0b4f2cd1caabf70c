package rsvp_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"example.com/lantern/internal/rsvp"
	"example.com/lantern/internal/store/memstore"
	"example.com/lantern/internal/tenant"
)

func TestAttendUntilFull(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2025, 5, 1, 9, 0, 0, 0, time.UTC)
	m := memstore.New()
	m.Now = func() time.Time { return now }
	svc := &rsvp.Service{Store: tenant.Scope(m, "acme"), Clock: func() time.Time { return now }}
	for i := 0; i < 3; i++ {
		_, err := svc.Dispatch(ctx, rsvp.Attend{EventID: "e1", UserID: fmt.Sprint("u", i), Capacity: 3, StartsAt: now.Add(24 * time.Hour)})
		if err != nil {
			t.Fatalf("attend %d: %v", i, err)
		}
	}
	if _, err := svc.Dispatch(ctx, rsvp.Attend{EventID: "e1", UserID: "u9", Capacity: 3}); !errors.Is(err, rsvp.ErrFull) {
		t.Fatalf("want full, got %v", err)
	}
	n, err := svc.Dispatch(ctx, rsvp.CountQuery{EventID: "e1"})
	if err != nil || n.(int) != 3 {
		t.Fatalf("count = %v, %v", n, err)
	}
	page, err := svc.Dispatch(ctx, rsvp.AttendeesQuery{EventID: "e1"})
	if err != nil || len(page.(rsvp.AttendeePage).Items) != 3 {
		t.Fatalf("page = %+v, %v", page, err)
	}
}

func TestWaitlist(t *testing.T) {
	ctx := context.Background()
	svc := &rsvp.Service{Store: memstore.New(), Clock: time.Now}
	if n, err := svc.Dispatch(ctx, rsvp.JoinWaitlist{EventID: "e1", UserID: "a"}); err != nil || n.(int) != 1 {
		t.Fatalf("%v %v", n, err)
	}
	if _, err := svc.Dispatch(ctx, rsvp.JoinWaitlist{EventID: "e1", UserID: "a"}); !errors.Is(err, rsvp.ErrOnWaitlist) {
		t.Fatalf("dup: %v", err)
	}
}
