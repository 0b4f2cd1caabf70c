package tokens

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/authgw/internal/kvfake"
)

func TestRotateAndReuse(t *testing.T) {
	ctx := context.Background()
	kv := kvfake.New()
	s := NewService(kv, Config{RefreshTTL: 24 * time.Hour, FamilyLifetime: 30 * 24 * time.Hour})

	first, err := s.Issue(ctx, "u1")
	if err != nil {
		t.Fatal(err)
	}
	second, uid, err := s.Rotate(ctx, first)
	if err != nil || uid != "u1" {
		t.Fatalf("rotate: %v %q", err, uid)
	}
	if _, _, err := s.Rotate(ctx, first); !errors.Is(err, ErrInvalid) {
		t.Fatalf("old token should be gone, got %v", err)
	}
	third, _, err := s.Rotate(ctx, second)
	if err != nil {
		t.Fatal(err)
	}
	if third == second {
		t.Fatal("token not rotated")
	}
}

func TestRevokeAll(t *testing.T) {
	ctx := context.Background()
	kv := kvfake.New()
	s := NewService(kv, Config{RefreshTTL: time.Hour, FamilyLifetime: 48 * time.Hour})
	a, _ := s.Issue(ctx, "u1")
	_, _ = s.Issue(ctx, "u1")
	keep, _ := s.Issue(ctx, "u2")
	n, err := s.RevokeAll(ctx, "u1")
	if err != nil || n != 2 {
		t.Fatalf("n=%d err=%v", n, err)
	}
	if _, _, err := s.Rotate(ctx, a); !errors.Is(err, ErrInvalid) {
		t.Fatalf("revoked family still rotates: %v", err)
	}
	if _, _, err := s.Rotate(ctx, keep); err != nil {
		t.Fatalf("u2 affected: %v", err)
	}
}
