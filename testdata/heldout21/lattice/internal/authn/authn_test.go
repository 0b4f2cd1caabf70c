package authn

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/lattice/internal/conf"
	"example.com/lattice/internal/platform/memkv"
)

func newManager(t *testing.T) *Manager {
	t.Helper()
	m, err := NewManager(memkv.New(), Config{SessionTTL: 12 * time.Hour, LinkTTL: 15 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestNewManagerRejectsShortTTL(t *testing.T) {
	if _, err := NewManager(memkv.New(), Config{SessionTTL: time.Minute, LinkTTL: time.Hour}); err == nil {
		t.Fatal("expected an error for a one-minute session TTL")
	}
}

func TestSessionRoundTrip(t *testing.T) {
	ctx := context.Background()
	m := newManager(t)
	email, _ := conf.NewEmail("Ada@Example.ORG")
	s, err := m.Create(ctx, "au_1", email, "author")
	if err != nil {
		t.Fatal(err)
	}
	got, err := m.Resume(ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Email != "Ada@example.org" || !got.HasRole("author") {
		t.Fatalf("unexpected session %+v", got)
	}
}

func TestMagicLinkRedeemsOnceAgainstFake(t *testing.T) {
	ctx := context.Background()
	m := newManager(t)
	l, err := m.IssueMagicLink(ctx, "au_2", "b@example.org", "/papers")
	if err != nil {
		t.Fatal(err)
	}
	if _, next, err := m.RedeemMagicLink(ctx, l.Token); err != nil || next != "/papers" {
		t.Fatalf("first redemption: next=%q err=%v", next, err)
	}
	if _, _, err := m.RedeemMagicLink(ctx, l.Token); !errors.Is(err, ErrLinkUsed) {
		t.Fatalf("second redemption: got %v, want ErrLinkUsed", err)
	}
}
