package password

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/authgw/internal/kvfake"
)

func TestLocksAfterMaxAttempts(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 2, 2, 10, 1, 0, 0, time.UTC)
	kv := kvfake.New()
	kv.Now = func() time.Time { return now }
	g := NewGuard(kv, Policy{MaxAttempts: 3, Window: 15 * time.Minute, MaxLockout: time.Hour})
	g.now = func() time.Time { return now }
	for i := 0; i < 3; i++ {
		if err := g.Check(ctx, "a@example.com"); err != nil {
			t.Fatalf("attempt %d: %v", i, err)
		}
		if err := g.Fail(ctx, "a@example.com"); err != nil {
			t.Fatal(err)
		}
	}
	if err := g.Check(ctx, "a@example.com"); !errors.Is(err, ErrLocked) {
		t.Fatalf("want locked, got %v", err)
	}
	if err := g.Check(ctx, "b@example.com"); err != nil {
		t.Fatalf("other account locked: %v", err)
	}
}
