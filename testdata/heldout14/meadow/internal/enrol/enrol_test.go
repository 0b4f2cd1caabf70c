package enrol_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/meadow/internal/enrol"
	"example.com/meadow/internal/storage/memstore"
)

func TestEnrolAndTransition(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	svc := enrol.Service{Store: memstore.New(), ReplayTTL: time.Hour, Clock: func() time.Time { return now }}

	out, err := svc.Handle(ctx, "acme", enrol.EnrolCommand{Course: "go-101", Learner: "u1", IdempotencyKey: "k1"})
	if err != nil {
		t.Fatal(err)
	}
	if e := out.(enrol.Enrolment); e.Version != 1 || e.Status != enrol.Active {
		t.Fatalf("unexpected enrolment %+v", e)
	}

	_, err = svc.Handle(ctx, "acme", enrol.ChangeStatusCommand{Course: "go-101", Learner: "u1", To: enrol.Paused, ExpectedVersion: 1})
	if err != nil {
		t.Fatal(err)
	}
	_, err = svc.Handle(ctx, "acme", enrol.ChangeStatusCommand{Course: "go-101", Learner: "u1", To: enrol.Active, ExpectedVersion: 1})
	if !errors.Is(err, enrol.ErrConflict) {
		t.Fatalf("stale version accepted: %v", err)
	}
	if _, err := svc.Handle(ctx, "globex", enrol.EnrolmentQuery{Course: "go-101", Learner: "u1"}); !errors.Is(err, enrol.ErrNotEnrolled) {
		t.Fatalf("tenant leak: %v", err)
	}
}
