package loginlimit_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/identity/internal/loginlimit"
	"example.com/identity/internal/store/memstore"
)

type fakeCounter map[string]int

func (f fakeCounter) Incr(_ context.Context, uid string, _ time.Duration) (int, error) {
	f[uid]++
	return f[uid], nil
}

func (f fakeCounter) Reset(_ context.Context, uid string) error {
	delete(f, uid)
	return nil
}

func TestLockoutAfterFailures(t *testing.T) {
	ctx := context.Background()
	l := loginlimit.New(memstore.New(), fakeCounter{}, loginlimit.MaxPerIP(3))
	for i := range 3 {
		if err := l.Allow(ctx, "203.0.113.9", "alice"); err != nil {
			t.Fatalf("attempt %d blocked early: %v", i, err)
		}
		if err := l.Failure(ctx, "203.0.113.9", "alice"); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Allow(ctx, "203.0.113.9", "alice"); !errors.Is(err, loginlimit.ErrLocked) {
		t.Fatalf("want ErrLocked, got %v", err)
	}
	if err := l.Allow(ctx, "198.51.100.1", "bob"); err != nil {
		t.Fatalf("other ip/user blocked: %v", err)
	}
}
