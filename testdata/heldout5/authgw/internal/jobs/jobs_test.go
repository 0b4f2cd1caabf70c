package jobs

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/authgw/internal/kvfake"
)

func TestLockIsExclusive(t *testing.T) {
	ctx := context.Background()
	kv := kvfake.New()
	r := NewRunner(Deps{KV: kv, Instance: "a"})
	err := r.withLock(ctx, "x", func(ctx context.Context) error {
		return r.withLock(ctx, "x", func(context.Context) error { return nil })
	})
	if !errors.Is(err, ErrBusy) {
		t.Fatalf("want busy, got %v", err)
	}
	if _, err := kv.Get(ctx, "cron:lock:x"); err == nil {
		t.Fatal("lock not released")
	}
}

func TestOffboardAndQuotaReset(t *testing.T) {
	ctx := context.Background()
	kv := kvfake.New()
	for _, k := range []string{"route:gone:/a=x", "route:gone:/b=y", "route:stay:/a=x", "quota:202601:k1", "quota:202602:k1"} {
		_ = kv.Put(ctx, k, nil)
	}
	r := NewRunner(Deps{
		KV:         kv,
		Offboarded: func(context.Context) ([]string, error) { return []string{"gone"}, nil },
		Now:        func() time.Time { return time.Date(2026, 2, 1, 0, 5, 0, 0, time.UTC) },
	})
	if err := r.offboardTenants(ctx); err != nil {
		t.Fatal(err)
	}
	if err := r.resetQuotas(ctx); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]bool{"route:gone:/a=x": false, "route:stay:/a=x": true, "quota:202601:k1": false, "quota:202602:k1": true} {
		_, err := kv.Get(ctx, k)
		if (err == nil) != want {
			t.Errorf("%s present=%v want %v", k, err == nil, want)
		}
	}
}
