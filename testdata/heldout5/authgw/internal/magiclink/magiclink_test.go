package magiclink

import (
	"context"
	"errors"
	"net/url"
	"testing"
	"time"

	"example.com/authgw/internal/kvfake"
)

func TestIssueRedeemOnce(t *testing.T) {
	ctx := context.Background()
	var sent string
	s := NewService(kvfake.New(), Config{BaseURL: "https://auth.test", LinkTTL: 15 * time.Minute, MaxPerHour: 2},
		func(_ context.Context, _, link string) error { sent = link; return nil })
	if err := s.Issue(ctx, "a@example.com", "/inbox"); err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(sent)
	tok := u.Query().Get("token")
	l, err := s.Redeem(ctx, tok)
	if err != nil || l.Email != "a@example.com" || l.Redirect != "/inbox" {
		t.Fatalf("redeem: %+v %v", l, err)
	}
	if _, err := s.Redeem(ctx, tok); !errors.Is(err, ErrInvalid) {
		t.Fatalf("link reused: %v", err)
	}
	_ = s.Issue(ctx, "a@example.com", "/")
	if err := s.Issue(ctx, "a@example.com", "/"); !errors.Is(err, ErrTooMany) {
		t.Fatalf("want too many, got %v", err)
	}
}
