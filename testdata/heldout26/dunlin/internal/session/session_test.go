package session

import (
	"context"
	"errors"
	"testing"

	"example.com/dunlin/internal/game"
	"example.com/dunlin/internal/keys"
	"example.com/dunlin/internal/kvstore/memkv"
)

func TestCreateLookupLogout(t *testing.T) {
	ctx := context.Background()
	m := NewManager(keys.NewSpace("t:"))
	m.SetStore(memkv.New())
	s, rt, err := m.Create(ctx, "p1", game.PlanPlus, "eu")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := m.Lookup(ctx, s.ID); err != nil || got.Player != "p1" {
		t.Fatalf("Lookup = %+v, %v", got, err)
	}
	if _, _, err := m.Rotate(ctx, rt.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := m.Rotate(ctx, rt.ID); !errors.Is(err, ErrUnknown) {
		t.Fatalf("second rotate: %v", err)
	}
	if err := m.Logout(ctx, s.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Lookup(ctx, s.ID); !errors.Is(err, ErrUnknown) {
		t.Fatalf("after logout: %v", err)
	}
}

func TestLockout(t *testing.T) {
	ctx := context.Background()
	m := NewManager(keys.NewSpace("t:"))
	m.SetStore(memkv.New())
	var err error
	for range 5 {
		err = m.RecordFailedLogin(ctx, "p1")
	}
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("after 5 failures: %v", err)
	}
}
