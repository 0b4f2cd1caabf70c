package quota_test

import (
	"context"
	"errors"
	"testing"

	"example.com/fleet/internal/quota"
	"example.com/fleet/internal/store/memstore"
)

type fakeBilling struct{ calls int }

func (f *fakeBilling) PlanName(context.Context, string) (string, error) {
	f.calls++
	return "pro", nil
}

func TestConsume(t *testing.T) {
	ctx := context.Background()
	q := quota.NewService(memstore.New(), &fakeBilling{})
	if err := q.SetLimits(ctx, "acme", quota.Limits{Plan: "tiny", MaxDevices: 1, MaxMsgsPerDay: 10}); err != nil {
		t.Fatal(err)
	}
	if err := q.Consume(ctx, "acme", 6); err != nil {
		t.Fatal(err)
	}
	if err := q.Consume(ctx, "acme", 6); !errors.Is(err, quota.ErrExceeded) {
		t.Fatalf("got %v", err)
	}
}

func TestPlanNameCached(t *testing.T) {
	ctx := context.Background()
	b := &fakeBilling{}
	q := quota.NewService(memstore.New(), b)
	for range 3 {
		if p, err := q.PlanName(ctx, "acme"); err != nil || p != "pro" {
			t.Fatalf("PlanName = %q, %v", p, err)
		}
	}
	if b.calls != 1 {
		t.Fatalf("billing called %d times", b.calls)
	}
}
