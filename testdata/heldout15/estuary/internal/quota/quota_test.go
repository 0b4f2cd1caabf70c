package quota

import (
	"context"
	"errors"
	"testing"

	"example.com/estuary/internal/config"
	"example.com/estuary/internal/kvstore/memkv"
)

var keys = config.KeyFormats{Limits: "acct/%s/limits", Usage: "acct/%[1]s/usage/%[2]s"}

func TestCharge(t *testing.T) {
	ctx := context.Background()
	q := New(memkv.New(), keys, config.Limits{EventsPerDay: 3, PayloadBytes: 1024})
	for i := range 3 {
		if err := q.Charge(ctx, "acme", 1); err != nil {
			t.Fatalf("charge %d: %v", i, err)
		}
	}
	if err := q.Charge(ctx, "acme", 1); !errors.Is(err, ErrOverQuota) {
		t.Fatalf("fourth charge: %v", err)
	}
}

func TestLimits(t *testing.T) {
	ctx := context.Background()
	q := New(memkv.New(), keys, config.Limits{EventsPerDay: 10})
	if l, err := q.Limits(ctx, "acme"); err != nil || l.EventsPerDay != 10 {
		t.Fatalf("default limits = %+v, %v", l, err)
	}
	if err := q.SetLimits(ctx, "acme", Limits{EventsPerDay: 500}); err != nil {
		t.Fatal(err)
	}
	if err := q.Ensure(ctx, "acme"); err != nil {
		t.Fatal(err)
	}
	if l, _ := q.Limits(ctx, "acme"); l.EventsPerDay != 500 {
		t.Fatalf("Ensure overwrote limits: %+v", l)
	}
}
