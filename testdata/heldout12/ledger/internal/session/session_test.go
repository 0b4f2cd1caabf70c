package session

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/ledger/internal/config"
	"example.com/ledger/internal/storage/memstore"
)

func newManager() *Manager {
	return NewManager(memstore.New(), config.Sessions{
		TTL: time.Hour, RefreshTTL: 24 * time.Hour, IdleTimeout: 30 * time.Minute, MaxPINAttempts: 3,
	})
}

func TestCreateLookupRotate(t *testing.T) {
	ctx := context.Background()
	m := newManager()
	s, err := m.Create(ctx, "st1", "s1", "manager")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := m.Lookup(ctx, s.ID); err != nil || got.StaffID != "st1" {
		t.Fatalf("lookup: %+v %v", got, err)
	}
	r, err := m.IssueRefresh(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	s2, r2, err := m.Rotate(ctx, r.Token)
	if err != nil || s2.ID == s.ID || r2.Token == r.Token {
		t.Fatalf("rotate: %v", err)
	}
	if _, _, err := m.Rotate(ctx, r.Token); !errors.Is(err, ErrNoSession) {
		t.Fatalf("reused refresh token: %v", err)
	}
}

func TestOTP(t *testing.T) {
	ctx := context.Background()
	m := newManager()
	code, err := m.IssueOTP(ctx, "st1")
	if err != nil {
		t.Fatal(err)
	}
	if err := m.VerifyOTP(ctx, "st1", "not-it"); !errors.Is(err, ErrBadOTP) {
		t.Fatalf("wrong code: %v", err)
	}
	if err := m.VerifyOTP(ctx, "st1", code); err != nil {
		t.Fatal(err)
	}
	if err := m.VerifyOTP(ctx, "st1", code); !errors.Is(err, ErrBadOTP) {
		t.Fatalf("code reused: %v", err)
	}
}

func TestLockout(t *testing.T) {
	ctx := context.Background()
	m := newManager()
	for i := 1; i <= 3; i++ {
		err := m.RecordFailedPIN(ctx, "st1")
		if i < 3 && err != nil {
			t.Fatalf("attempt %d: %v", i, err)
		}
		if i == 3 && !errors.Is(err, ErrLocked) {
			t.Fatalf("expected lockout, got %v", err)
		}
	}
}

func TestRevoke(t *testing.T) {
	ctx := context.Background()
	m := newManager()
	if err := m.Revoke(ctx, "tok"); err != nil {
		t.Fatal(err)
	}
	if ok, err := m.IsRevoked(ctx, "tok"); err != nil || !ok {
		t.Fatalf("IsRevoked = %v, %v", ok, err)
	}
}
