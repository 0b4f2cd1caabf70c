package session_test

import (
	"context"
	"testing"
	"time"

	"example.com/cinder/internal/clock"
	"example.com/cinder/internal/config"
	"example.com/cinder/internal/session"
	"example.com/cinder/internal/storage/memstore"
)

func TestSessionLifecycle(t *testing.T) {
	clk := clock.NewManual(time.Date(2025, 4, 1, 8, 0, 0, 0, time.UTC))
	m := session.NewManager(memstore.New(clk), config.Defaults, session.WithClock(clk))
	ctx := context.Background()
	s, err := m.Create(ctx, "u1", "acme")
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(10 * time.Minute)
	got, err := m.Resolve(ctx, s.ID)
	if err != nil || got.UserID != "u1" {
		t.Fatalf("resolve = %+v, %v", got, err)
	}
	if err := m.Touch(ctx, got); err != nil {
		t.Fatal(err)
	}
	if err := m.Logout(ctx, s.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Resolve(ctx, s.ID); err == nil {
		t.Fatal("session survived logout")
	}
}
