package editorial

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/feeds/internal/adapters/memkv"
)

func TestLocks(t *testing.T) {
	ctx := context.Background()
	l := NewLocks(memkv.New(), 5*time.Minute)
	if _, err := l.Acquire(ctx, "a1", "alice"); err != nil {
		t.Fatal(err)
	}
	var locked *LockedError
	if _, err := l.Acquire(ctx, "a1", "bob"); !errors.As(err, &locked) || locked.Editor != "alice" {
		t.Fatalf("bob acquire err = %v", err)
	}
	if _, err := l.Renew(ctx, "a1", "bob"); !errors.Is(err, ErrNotHolder) {
		t.Fatalf("bob renew err = %v", err)
	}
	if err := l.Release(ctx, "a1", "alice"); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Acquire(ctx, "a1", "bob"); err != nil {
		t.Fatalf("bob acquire after release: %v", err)
	}
}

func TestMagicLinkSignIn(t *testing.T) {
	ctx := context.Background()
	store := memkv.New()
	sessions := NewSessions(store, time.Hour)
	m := NewMagicLinks(store, sessions, 15*time.Minute)

	tok, err := m.Request(ctx, "Ed@Example.com ")
	if err != nil {
		t.Fatal(err)
	}
	sess, err := m.Redeem(ctx, tok)
	if err != nil || sess.Editor != "ed@example.com" {
		t.Fatalf("redeem = %+v, %v", sess, err)
	}
	if _, err := m.Redeem(ctx, tok); !errors.Is(err, ErrInvalidLink) {
		t.Fatalf("second redeem err = %v", err)
	}
	if err := sessions.RevokeAll(ctx, "ed@example.com"); err != nil {
		t.Fatal(err)
	}
	if _, err := sessions.Lookup(ctx, sess.ID); !errors.Is(err, ErrNoSession) {
		t.Fatalf("lookup after revoke err = %v", err)
	}
}
