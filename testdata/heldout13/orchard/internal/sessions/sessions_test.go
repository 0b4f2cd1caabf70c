package sessions

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"example.com/orchard/internal/config"
	"example.com/orchard/internal/store"
	"example.com/orchard/internal/store/memstore"
)

func newManager() (*Manager, *memstore.Store) {
	st := memstore.New()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	return NewManager(st, store.Putter(st), config.DefaultPolicies(), time.Hour, log), st
}

func TestSessionLifecycle(t *testing.T) {
	ctx := context.Background()
	m, _ := newManager()
	s, err := m.Create(ctx, "buyer-1")
	if err != nil {
		t.Fatal(err)
	}
	got, err := m.Lookup(ctx, s.ID)
	if err != nil || got.BuyerID != "buyer-1" {
		t.Fatalf("lookup = %+v, %v", got, err)
	}
	if err := m.Touch(ctx, &got); err != nil {
		t.Fatal(err)
	}
	if err := m.Logout(ctx, s.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Lookup(ctx, s.ID); !errors.Is(err, ErrNoSession) {
		t.Fatalf("after logout: %v", err)
	}
}

func TestRefreshRotation(t *testing.T) {
	ctx := context.Background()
	m, _ := newManager()
	s, _ := m.Create(ctx, "buyer-2")
	rt, err := m.IssueRefresh(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := m.Rotate(ctx, rt.Token); err != nil {
		t.Fatal(err)
	}
	if _, _, err := m.Rotate(ctx, rt.Token); !errors.Is(err, ErrTokenUsed) {
		t.Fatalf("second rotate: %v", err)
	}
}

func TestCodes(t *testing.T) {
	ctx := context.Background()
	m, _ := newManager()
	code, err := m.IssueCode(ctx, "a@example.com")
	if err != nil || len(code) != 6 {
		t.Fatalf("code %q, %v", code, err)
	}
	if err := m.CheckCode(ctx, "a@example.com", code); err != nil {
		t.Fatal(err)
	}
	if err := m.CheckCode(ctx, "b@example.com", code); !errors.Is(err, ErrBadCode) {
		t.Fatalf("wrong address: %v", err)
	}
}
