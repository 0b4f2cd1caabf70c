package oauth

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"testing"

	"example.com/authgw/internal/kvfake"
)

func challengeFor(v string) string {
	sum := sha256.Sum256([]byte(v))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func TestRedeemOnce(t *testing.T) {
	ctx := context.Background()
	cs := NewCodeStore(kvfake.New())
	code, err := cs.Issue(ctx, Grant{ClientID: "app", UserID: "u1", RedirectURI: "https://app/cb", Challenge: challengeFor("v")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cs.Redeem(ctx, code, "app", "https://app/cb", "wrong"); !errors.Is(err, ErrBadCode) {
		t.Fatalf("bad verifier accepted: %v", err)
	}
	g, err := cs.Redeem(ctx, code, "app", "https://app/cb", "v")
	if err != nil || g.UserID != "u1" {
		t.Fatalf("redeem: %v", err)
	}
	if _, err := cs.Redeem(ctx, code, "app", "https://app/cb", "v"); !errors.Is(err, ErrReplayed) {
		t.Fatalf("want replay, got %v", err)
	}
}

func TestStateConsumedOnce(t *testing.T) {
	ctx := context.Background()
	s := NewStateStore(kvfake.New())
	st, _, err := s.Begin(ctx, "google", "/home")
	if err != nil {
		t.Fatal(err)
	}
	if p, err := s.Consume(ctx, st); err != nil || p.ReturnTo != "/home" {
		t.Fatalf("consume: %v", err)
	}
	if _, err := s.Consume(ctx, st); !errors.Is(err, ErrBadState) {
		t.Fatalf("state reused: %v", err)
	}
}

func TestAddRedirect(t *testing.T) {
	ctx := context.Background()
	c := NewClients(kvfake.New())
	cl, err := c.Register(ctx, "acme", "web", []string{"https://a/cb"})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.AddRedirect(ctx, cl.ID, "https://b/cb"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CheckRedirect(ctx, cl.ID, "https://b/cb"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CheckRedirect(ctx, cl.ID, "https://evil/cb"); !errors.Is(err, ErrBadRedirect) {
		t.Fatalf("unregistered redirect accepted: %v", err)
	}
}
