package session

import (
	"context"
	"errors"
	"testing"

	"example.com/orchard/internal/config"
	"example.com/orchard/internal/kvstore/memkv"
)

func TestSessionLifecycle(t *testing.T) {
	ctx := context.Background()
	cfg, _ := config.Parse(nil)
	m := NewManager(memkv.New(), cfg.Keys, cfg.Session)

	s, err := m.Create(ctx, "acct-1")
	if err != nil {
		t.Fatal(err)
	}
	got, err := m.Lookup(ctx, s.ID)
	if err != nil || got.Account != "acct-1" {
		t.Fatalf("Lookup = %+v, %v", got, err)
	}
	if err := m.Destroy(ctx, s.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Lookup(ctx, s.ID); !errors.Is(err, ErrNoSession) {
		t.Fatalf("after destroy: %v", err)
	}
}

func TestCartMergesLines(t *testing.T) {
	ctx := context.Background()
	cfg, _ := config.Parse(nil)
	m := NewManager(memkv.New(), cfg.Keys, cfg.Session)
	m.AddToCart(ctx, "acct-1", "APL-1", 2)
	c, err := m.AddToCart(ctx, "acct-1", "APL-1", 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Items) != 1 || c.Items[0].Qty != 5 {
		t.Fatalf("cart = %+v", c.Items)
	}
}
