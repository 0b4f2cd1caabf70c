package giftcard

import (
	"context"
	"errors"
	"testing"

	"example.com/saffron/internal/store/memstore"
)

func group(restaurant string) string { return "olive" }

func TestIssueRedeemOnce(t *testing.T) {
	ctx := context.Background()
	s := New(memstore.New(), group)
	c, err := s.Issue(ctx, "olive", "pat@example.com", 5000)
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.Redeem(ctx, c.Code, "order-1", "olive-soho", "203.0.113.9")
	if err != nil || r.AmountCents != 5000 {
		t.Fatalf("redeem: %+v %v", r, err)
	}
	if _, err := s.Redeem(ctx, c.Code, "order-2", "olive-soho", "203.0.113.9"); !errors.Is(err, ErrUnknownCode) {
		t.Fatalf("second redeem: %v", err)
	}
}

func TestLockout(t *testing.T) {
	ctx := context.Background()
	s := New(memstore.New(), group)
	for i := 0; i < maxFailures; i++ {
		_, _ = s.Redeem(ctx, "NOPE-NOPE-NOPE", "o", "olive-soho", "198.51.100.7")
	}
	if _, err := s.Redeem(ctx, "NOPE-NOPE-NOPE", "o", "olive-soho", "198.51.100.7"); !errors.Is(err, ErrLockedOut) {
		t.Fatalf("expected lockout, got %v", err)
	}
}
