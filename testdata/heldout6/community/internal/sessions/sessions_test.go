package sessions

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/community/internal/store/memstore"
)

func newManager() *Manager {
	return NewManager(memstore.New(), Config{ShortTTL: time.Hour, RememberTTL: 30 * 24 * time.Hour, TouchEvery: time.Minute})
}

func TestCreateLookupLogout(t *testing.T) {
	ctx := context.Background()
	m := newManager()
	s, err := m.Create(ctx, "u1", true, "test")
	if err != nil {
		t.Fatal(err)
	}
	got, err := m.Lookup(ctx, s.ID)
	if err != nil || got.UserID != "u1" {
		t.Fatalf("lookup = %v, %v", got, err)
	}
	devs, err := m.Devices(ctx, "u1")
	if err != nil || len(devs) != 1 {
		t.Fatalf("devices = %v, %v", devs, err)
	}
	if err := m.Logout(ctx, s.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Lookup(ctx, s.ID); !errors.Is(err, ErrNoSession) {
		t.Fatalf("want ErrNoSession, got %v", err)
	}
}

func TestRevokeAll(t *testing.T) {
	ctx := context.Background()
	m := newManager()
	s, _ := m.Create(ctx, "u2", false, "test")
	if err := m.RevokeAll(ctx, "u2"); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Lookup(ctx, s.ID); !errors.Is(err, ErrRevoked) {
		t.Fatalf("want ErrRevoked, got %v", err)
	}
}

func TestRotate(t *testing.T) {
	ctx := context.Background()
	m := newManager()
	old, _ := m.Create(ctx, "u3", false, "test")
	fresh, err := m.Rotate(ctx, old)
	if err != nil || fresh.ID == old.ID {
		t.Fatalf("rotate = %v, %v", fresh, err)
	}
	if _, err := m.Lookup(ctx, old.ID); !errors.Is(err, ErrNoSession) {
		t.Fatalf("old session still valid: %v", err)
	}
}

func TestTouchSlidesRememberedSessions(t *testing.T) {
	ctx := context.Background()
	m := newManager()
	base := time.Now()
	m.now = func() time.Time { return base }
	s, _ := m.Create(ctx, "u4", true, "test")
	m.now = func() time.Time { return base.Add(2 * time.Hour) }
	if err := m.Touch(ctx, s.ID); err != nil {
		t.Fatal(err)
	}
	got, _ := m.sessions.Get(ctx, s.ID)
	if !got.ExpiresAt.After(s.ExpiresAt) {
		t.Fatalf("expiry not extended: %v -> %v", s.ExpiresAt, got.ExpiresAt)
	}
}
