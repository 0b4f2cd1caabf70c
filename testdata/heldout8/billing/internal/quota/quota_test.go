package quota_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/billing/internal/quota"
	"example.com/billing/internal/storage/memstore"
)

type fixedLimits map[string]int64

func (f fixedLimits) Limit(_ context.Context, _, metric string) (int64, error) {
	return f[metric], nil
}

func TestRecordAndRemaining(t *testing.T) {
	ctx := context.Background()
	clock := func() time.Time { return time.Date(2025, 3, 14, 12, 0, 0, 0, time.UTC) }
	svc := quota.NewService(memstore.New(), fixedLimits{"api_calls": 100}, quota.WithClock(clock))

	left, err := svc.Remaining(ctx, "cus_1", "api_calls")
	if err != nil || left != 100 {
		t.Fatalf("fresh customer: left=%d err=%v", left, err)
	}
	if err := svc.Record(ctx, "cus_1", "api_calls", 60); err != nil {
		t.Fatal(err)
	}
	if err := svc.Record(ctx, "cus_1", "api_calls", 50); err != nil {
		t.Fatal(err)
	}
	left, err = svc.Remaining(ctx, "cus_1", "api_calls")
	if err != nil || left != 0 {
		t.Fatalf("after 110 units: left=%d err=%v", left, err)
	}
	if err := svc.Check(ctx, "cus_1", "api_calls"); !errors.Is(err, quota.ErrExceeded) {
		t.Fatalf("Check = %v, want ErrExceeded", err)
	}
}

func TestPeriod(t *testing.T) {
	got := quota.Period(time.Date(2025, 12, 31, 23, 59, 0, 0, time.FixedZone("X", -3600)))
	if got != "2026-01" {
		t.Fatalf("Period = %s", got)
	}
}
