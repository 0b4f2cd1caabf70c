package previews

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/feeds/internal/adapters/memkv"
)

func newTestService(t *testing.T) (*Service, *memkv.Store) {
	t.Helper()
	store := memkv.New()
	return New(store, Config{TokenTTL: time.Hour, OneTimeLinkTTL: 10 * time.Minute, DailyQuota: 2}), store
}

func TestOneTimeLink(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestService(t)
	tok, err := s.IssueLink(ctx, "art1", "ed@example.com")
	if err != nil {
		t.Fatal(err)
	}
	g, err := s.RedeemLink(ctx, tok)
	if err != nil || g.ArticleID != "art1" {
		t.Fatalf("first redeem = %+v, %v", g, err)
	}
	if _, err := s.RedeemLink(ctx, tok); !errors.Is(err, ErrUsed) {
		t.Fatalf("second redeem err = %v, want ErrUsed", err)
	}
}

func TestQuotaAndRevocation(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestService(t)
	tok, err := s.Issue(ctx, "art1", "ed")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Issue(ctx, "art1", "ed"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Issue(ctx, "art1", "ed"); !errors.Is(err, ErrQuota) {
		t.Fatalf("third issue err = %v, want ErrQuota", err)
	}
	if err := s.RevokeArticle(ctx, "art1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Validate(ctx, tok); !errors.Is(err, ErrRevoked) {
		t.Fatalf("validate after revoke err = %v", err)
	}
}
