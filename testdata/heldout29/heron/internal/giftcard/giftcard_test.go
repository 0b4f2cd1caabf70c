package giftcard

import (
	"context"
	"errors"
	"testing"

	"example.com/heron/internal/platform/memkv"
)

func TestIssueAndRedeem(t *testing.T) {
	ctx := context.Background()
	s := New(memkv.New(), "giftcards")
	card, err := s.Issue(ctx, IssueReq{Code: "acme gala", AmountCts: 5000, Currency: "usd"})
	if err != nil {
		t.Fatal(err)
	}
	if card.Code != "ACMEGALA" || card.Version != 1 {
		t.Fatalf("card = %+v", card)
	}
	if _, err := s.Issue(ctx, IssueReq{Code: "ACMEGALA", AmountCts: 100}); !errors.Is(err, ErrCodeTaken) {
		t.Fatalf("second issue err = %v", err)
	}
	bal, err := s.Redeem(ctx, RedeemReq{Code: "acmegala", AmountCts: 1200, OrderID: "o-1", IfVersion: 1})
	if err != nil {
		t.Fatal(err)
	}
	if bal.BalanceCts != 3800 || bal.Version != 2 {
		t.Fatalf("balance = %+v", bal)
	}
	if _, err := s.Redeem(ctx, RedeemReq{Code: "acmegala", AmountCts: 1, IfVersion: 1}); !errors.Is(err, ErrStale) {
		t.Fatalf("stale redeem err = %v", err)
	}
}

func TestNewCodeShape(t *testing.T) {
	for range 20 {
		c := newCode()
		if len(c) != 14 || c[4] != '-' || c[9] != '-' {
			t.Fatalf("bad code %q", c)
		}
	}
}
