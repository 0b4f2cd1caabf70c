package auth

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/quarry/internal/config"
	"example.com/quarry/internal/storage/memstore"
)

func TestRotate(t *testing.T) {
	ctx := context.Background()
	cfg := config.Default()
	tk := NewTokens(memstore.New(), cfg.Keys, cfg.Session)
	first, err := tk.Issue(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	second, acct, err := tk.Rotate(ctx, first)
	if err != nil || acct != "acme" || second == first {
		t.Fatalf("rotate: %q %q %v", second, acct, err)
	}
	if _, _, err := tk.Rotate(ctx, first); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("old token reused: %v", err)
	}
}

func TestRevoke(t *testing.T) {
	ctx := context.Background()
	cfg := config.Default()
	tk := NewTokens(memstore.New(), cfg.Keys, cfg.Session)
	if err := tk.Revoke(ctx, "jti-1", time.Now().Add(10*time.Second)); err != nil {
		t.Fatal(err)
	}
	if ok, err := tk.Revoked(ctx, "jti-1"); err != nil || !ok {
		t.Fatalf("%v %v", ok, err)
	}
	if ok, _ := tk.Revoked(ctx, "jti-2"); ok {
		t.Fatal("jti-2 revoked")
	}
}
