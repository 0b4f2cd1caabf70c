package sessions_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"example.com/billing/internal/sessions"
	"example.com/billing/internal/storage"
	"example.com/billing/internal/storage/memstore"
)

func TestCreateLoadRevoke(t *testing.T) {
	ctx := context.Background()
	m := sessions.NewManager(memstore.New(), time.Hour)
	s, err := m.Create(ctx, "usr_1", "cus_1")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s.ID, "usr_1.") {
		t.Fatalf("id %q not scoped to user", s.ID)
	}
	got, err := m.Load(ctx, s.ID)
	if err != nil || got.CustomerID != "cus_1" {
		t.Fatalf("Load = %+v, %v", got, err)
	}
	if err := m.Revoke(ctx, s.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Load(ctx, s.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("after revoke: %v", err)
	}
}

func TestMagicLinkSingleUse(t *testing.T) {
	ctx := context.Background()
	m := sessions.NewManager(memstore.New(), time.Hour)
	tok, err := m.IssueMagicLink(ctx, "Ada@Example.com")
	if err != nil {
		t.Fatal(err)
	}
	email, err := m.RedeemMagicLink(ctx, tok)
	if err != nil || email != "ada@example.com" {
		t.Fatalf("redeem = %q, %v", email, err)
	}
	if _, err := m.RedeemMagicLink(ctx, tok); err == nil {
		t.Fatal("second redeem succeeded")
	}
}

func TestRevokedTokens(t *testing.T) {
	ctx := context.Background()
	m := sessions.NewManager(memstore.New(), time.Hour)
	if err := m.RevokeToken(ctx, "jti-1", time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	for jti, want := range map[string]bool{"jti-1": true, "jti-2": false} {
		got, err := m.IsRevoked(ctx, jti)
		if err != nil || got != want {
			t.Errorf("IsRevoked(%s) = %v, %v", jti, got, err)
		}
	}
}
