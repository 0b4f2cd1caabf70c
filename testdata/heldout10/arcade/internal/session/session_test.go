package session

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	"example.com/arcade/internal/config"
	"example.com/arcade/internal/store/memstore"
)

func TestCreateLookupLogout(t *testing.T) {
	m := NewManager(memstore.New(), config.Defaults().Session)
	ctx := context.Background()
	s, err := m.Create(ctx, "p1")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := m.Lookup(ctx, s.ID); err != nil || got.PlayerID != "p1" {
		t.Fatalf("lookup = %+v, %v", got, err)
	}
	if err := m.Logout(ctx, s.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Lookup(ctx, s.ID); !errors.Is(err, ErrNoSession) {
		t.Fatalf("after logout: %v", err)
	}
}

func TestMagicLinkIsSingleUse(t *testing.T) {
	m := NewManager(memstore.New(), config.Defaults().Session)
	ctx := context.Background()
	base, _ := url.Parse("https://arcade.example.com")
	link, err := m.IssueMagicLink(ctx, base, "p1", "p1@example.com")
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(link)
	code := u.Query().Get("code")
	if _, err := m.Redeem(ctx, code); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Redeem(ctx, code); !errors.Is(err, ErrLinkInvalid) {
		t.Fatalf("second redeem: %v", err)
	}
}

func TestOAuthStateRoundTrip(t *testing.T) {
	m := NewManager(memstore.New(), config.Defaults().Session)
	ctx := context.Background()
	state, err := m.BeginOAuth(ctx, "discord", "/lobbies")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.FinishOAuth(ctx, "steam", state); !errors.Is(err, ErrBadState) {
		t.Fatalf("wrong provider accepted: %v", err)
	}
	to, err := m.FinishOAuth(ctx, "discord", state)
	if err != nil || !strings.HasPrefix(to, "/lobbies") {
		t.Fatalf("finish = %q, %v", to, err)
	}
}

func TestRevokedTokens(t *testing.T) {
	m := NewManager(memstore.New(), config.Defaults().Session)
	ctx := context.Background()
	if err := m.RevokeAccessToken(ctx, "jti-1"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := m.IsRevoked(ctx, "jti-1"); !ok {
		t.Fatal("jti-1 should be revoked")
	}
	if ok, _ := m.IsRevoked(ctx, "jti-2"); ok {
		t.Fatal("jti-2 should not be revoked")
	}
}
