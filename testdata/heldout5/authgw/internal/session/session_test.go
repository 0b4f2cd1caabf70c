package session

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/authgw/internal/kvfake"
)

func newTestManager(t *testing.T) (*Manager, *kvfake.Store, *time.Time) {
	t.Helper()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	kv := kvfake.New()
	kv.Now = func() time.Time { return now }
	m := NewManager(kv, Config{IdleTimeout: time.Hour, AbsoluteTimeout: 24 * time.Hour, StepUpWindow: 5 * time.Minute})
	m.now = func() time.Time { return now }
	return m, kv, &now
}

func TestResumeSlidesExpiry(t *testing.T) {
	m, _, now := newTestManager(t)
	ctx := context.Background()
	s, err := m.Create(ctx, "u1", "test")
	if err != nil {
		t.Fatal(err)
	}
	*now = now.Add(50 * time.Minute)
	r, err := m.Resume(ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := now.Add(time.Hour); !r.ExpiresAt.Equal(want) {
		t.Fatalf("expires %v want %v", r.ExpiresAt, want)
	}
	*now = now.Add(61 * time.Minute)
	if _, err := m.Resume(ctx, s.ID); !errors.Is(err, ErrExpired) {
		t.Fatalf("want expired, got %v", err)
	}
}

func TestDestroyAll(t *testing.T) {
	m, kv, _ := newTestManager(t)
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		if _, err := m.Create(ctx, "u1", "test"); err != nil {
			t.Fatal(err)
		}
	}
	other, _ := m.Create(ctx, "u2", "test")
	n, err := m.DestroyAll(ctx, "u1")
	if err != nil || n != 3 {
		t.Fatalf("n=%d err=%v", n, err)
	}
	if _, err := m.Peek(ctx, other.ID); err != nil {
		t.Fatalf("other user's session gone: %v", err)
	}
	if kv.Len() != 2 { // u2's session and index
		t.Fatalf("left %d keys", kv.Len())
	}
}

func TestStepUp(t *testing.T) {
	m, _, now := newTestManager(t)
	ctx := context.Background()
	if err := m.GrantStepUp(ctx, "sid"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := m.HasStepUp(ctx, "sid"); !ok {
		t.Fatal("expected step-up")
	}
	*now = now.Add(6 * time.Minute)
	if ok, _ := m.HasStepUp(ctx, "sid"); ok {
		t.Fatal("step-up should have lapsed")
	}
}
