package sessions

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/relay/internal/cfns"
	"example.com/relay/internal/store/memstore"
)

func newManager() *Manager {
	return NewManager(memstore.New(), cfns.Namespace{}, Options{SessionTTL: time.Hour, MaxAttempts: 3})
}

func TestSessionLifecycle(t *testing.T) {
	ctx := context.Background()
	m := newManager()
	s, err := m.Create(ctx, "u_1", "d_1", "203.0.113.9")
	if err != nil {
		t.Fatal(err)
	}
	got, err := m.Authenticate(ctx, s.ID)
	if err != nil || got.UserID != "u_1" {
		t.Fatalf("Authenticate = %+v, %v", got, err)
	}
	if err := m.Logout(ctx, s.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Authenticate(ctx, s.ID); !errors.Is(err, ErrNoSession) {
		t.Fatalf("after logout: %v", err)
	}
}

func TestLockout(t *testing.T) {
	ctx := context.Background()
	m := newManager()
	for i := 0; i < 2; i++ {
		if err := m.RecordFailure(ctx, "Ada@Example.com"); err != nil {
			t.Fatalf("failure %d: %v", i, err)
		}
	}
	if err := m.RecordFailure(ctx, "ada@example.com"); !errors.Is(err, ErrLocked) {
		t.Fatalf("third failure: %v", err)
	}
	if err := m.CheckLocked(ctx, "ada@example.com"); !errors.Is(err, ErrLocked) {
		t.Fatalf("CheckLocked: %v", err)
	}
}
