package giftcard

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"example.com/ledger/internal/config"
	"example.com/ledger/internal/consts"
	"example.com/ledger/internal/storage/memstore"
)

func newService() (*Service, *memstore.Store) {
	st := memstore.New()
	return New(st, config.Cards{Validity: 365 * 24 * time.Hour, CodeLength: 16, MaxBatch: 50}), st
}

func TestIssueAndRedeem(t *testing.T) {
	ctx := context.Background()
	s, _ := newService()
	c, err := s.Issue(ctx, "s1", 5000)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Code) != 16 {
		t.Fatalf("code %q", c.Code)
	}
	if _, err := s.Redeem(ctx, c.Code, 6000); !errors.Is(err, ErrInsufficient) {
		t.Fatalf("overdraw: %v", err)
	}
	c, err = s.Redeem(ctx, c.Code, 5000)
	if err != nil || c.Status != Drained {
		t.Fatalf("drain: %+v %v", c, err)
	}
	if _, err := s.Redeem(ctx, c.Code, 1); !errors.Is(err, ErrInactive) {
		t.Fatalf("drained card: %v", err)
	}
}

func TestClaimCodeTaken(t *testing.T) {
	ctx := context.Background()
	s, _ := newService()
	if _, err := s.ClaimCode(ctx, "s1", "gr8-save-2024", 1000); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ClaimCode(ctx, "s1", "GR8SAVE2024", 1000); !errors.Is(err, ErrCodeTaken) {
		t.Fatalf("second claim: %v", err)
	}
}

func TestIssueBatchIndex(t *testing.T) {
	ctx := context.Background()
	s, st := newService()
	cards, err := s.IssueBatch(ctx, "s1", 3, 2500)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := st.Get(ctx, consts.PrefixCardIndex.Key("s1"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(idx, ",") != 2 || !strings.HasPrefix(idx, cards[0].Code) {
		t.Fatalf("index %q", idx)
	}
}

func TestNormalizeCode(t *testing.T) {
	if _, err := NormalizeCode("abc"); !errors.Is(err, ErrBadCode) {
		t.Error("short code accepted")
	}
	if got, err := NormalizeCode("ab12-cd34-ef56"); err != nil || got != "AB12CD34EF56" {
		t.Errorf("got %q %v", got, err)
	}
}
