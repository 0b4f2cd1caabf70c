package session

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"example.com/harbor/internal/storage/memstore"
)

func newManager() *Manager {
	return NewManager(memstore.New(), Config{TTL: time.Hour, OTPTTL: 5 * time.Minute, RefreshTTL: 24 * time.Hour, MaxAttempts: 3},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
}

func TestSessionRoundTrip(t *testing.T) {
	ctx := context.Background()
	m := newManager()
	s, err := m.Create(ctx, "op1", []string{"planner"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := m.Lookup(ctx, s.ID)
	if err != nil || got.Operator != "op1" {
		t.Fatalf("lookup = %+v, %v", got, err)
	}
	if err := m.Logout(ctx, s.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Lookup(ctx, s.ID); !errors.Is(err, ErrNoSession) {
		t.Fatalf("after logout: %v", err)
	}
}

func TestCodeIsSingleUse(t *testing.T) {
	ctx := context.Background()
	m := newManager()
	code, err := m.IssueCode(ctx, "op2")
	if err != nil {
		t.Fatal(err)
	}
	if op, err := m.RedeemCode(ctx, code); err != nil || op != "op2" {
		t.Fatalf("redeem = %q, %v", op, err)
	}
	if _, err := m.RedeemCode(ctx, code); !errors.Is(err, ErrBadCode) {
		t.Fatalf("second redeem: %v", err)
	}
}

func TestLockout(t *testing.T) {
	ctx := context.Background()
	m := newManager()
	for i := range 2 {
		if err := m.FailedLogin(ctx, "op3"); err != nil {
			t.Fatalf("attempt %d: %v", i+1, err)
		}
	}
	if err := m.FailedLogin(ctx, "op3"); !errors.Is(err, ErrLocked) {
		t.Fatalf("third attempt: %v", err)
	}
}
