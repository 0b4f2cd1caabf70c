package sessions

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/wicket/internal/kvport/memkv"
)

func TestSessionLifecycle(t *testing.T) {
	ctx := context.Background()
	m := New(memkv.New(), Lifetime(time.Hour), CookieName("sid"))
	s, err := m.Start(ctx, "p-1", "CEN")
	if err != nil {
		t.Fatal(err)
	}
	got, err := m.Lookup(ctx, s.ID)
	if err != nil || got.Patron != "p-1" {
		t.Fatalf("lookup: %+v, %v", got, err)
	}
	if err := m.End(ctx, s.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Lookup(ctx, s.ID); !errors.Is(err, ErrNoSession) {
		t.Fatalf("after end: %v", err)
	}
	if m.Cookie(s).Name != "sid" {
		t.Fatal("cookie name option ignored")
	}
}

func TestResetCode(t *testing.T) {
	ctx := context.Background()
	m := New(memkv.New())
	code, err := m.IssueResetCode(ctx, "21000123456787")
	if err != nil {
		t.Fatal(err)
	}
	if err := m.RedeemResetCode(ctx, "21000123456787", "000000x"); !errors.Is(err, ErrBadCode) {
		t.Fatalf("malformed code: %v", err)
	}
	if err := m.RedeemResetCode(ctx, "21000123456787", code); err != nil {
		t.Fatal(err)
	}
	if err := m.RedeemResetCode(ctx, "21000123456787", code); !errors.Is(err, ErrBadCode) {
		t.Fatalf("second redemption: %v", err)
	}
}
