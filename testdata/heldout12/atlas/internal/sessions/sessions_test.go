package sessions

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/atlas/internal/config"
	"example.com/atlas/internal/storage/memstore"
)

func newManager() *Manager {
	return NewManager(memstore.New(), config.SessionConfig{TTL: time.Hour, IdleTTL: 10 * time.Minute})
}

func TestSessionLifecycle(t *testing.T) {
	ctx := context.Background()
	m := newManager()
	s, err := m.Create(ctx, "u1", "ed@example.com", []string{"a", "b"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := m.Get(ctx, s.ID)
	if err != nil || got.UserID != "u1" {
		t.Fatalf("get: %+v %v", got, err)
	}
	if _, err := m.SwitchSite(ctx, s.ID, "b"); err != nil {
		t.Fatal(err)
	}
	if _, err := m.SwitchSite(ctx, s.ID, "c"); err == nil {
		t.Fatal("switch to ungranted site succeeded")
	}
	if err := m.Destroy(ctx, s.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Get(ctx, s.ID); !errors.Is(err, ErrNoSession) {
		t.Fatalf("after destroy: %v", err)
	}
}

func TestTouchExtendsExpiry(t *testing.T) {
	ctx := context.Background()
	m := newManager()
	base := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	m.now = func() time.Time { return base }
	s, err := m.Create(ctx, "u1", "ed@example.com", nil)
	if err != nil {
		t.Fatal(err)
	}
	m.now = func() time.Time { return base.Add(55 * time.Minute) }
	s, err = m.Touch(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if want := base.Add(65 * time.Minute); !s.ExpiresAt.Equal(want) {
		t.Fatalf("expires %v, want %v", s.ExpiresAt, want)
	}
}

func TestFailedLoginLockout(t *testing.T) {
	ctx := context.Background()
	m := newManager()
	var err error
	for i := 0; i < maxLoginFailed; i++ {
		err = m.RecordFailedLogin(ctx, "ed@example.com")
	}
	if !errors.Is(err, ErrLockedOut) {
		t.Fatalf("got %v after %d failures", err, maxLoginFailed)
	}
}
