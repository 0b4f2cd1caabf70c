package tokens_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/fleet/internal/store/memstore"
	"example.com/fleet/internal/tokens"
)

func TestRotateAndRevoke(t *testing.T) {
	ctx := context.Background()
	iss := tokens.NewIssuer(memstore.New(), time.Hour)
	old, err := iss.Issue(ctx, "acme", "dev-1")
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := iss.Rotate(ctx, old)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := iss.Verify(ctx, old); !errors.Is(err, tokens.ErrInvalid) {
		t.Fatalf("old token still valid: %v", err)
	}
	if _, err := iss.Verify(ctx, fresh); err != nil {
		t.Fatalf("fresh token: %v", err)
	}
	if err := iss.Revoke(ctx, tokens.Hash(fresh)); err != nil {
		t.Fatal(err)
	}
	if _, err := iss.Verify(ctx, fresh); !errors.Is(err, tokens.ErrInvalid) {
		t.Fatalf("revoked token still valid: %v", err)
	}
}

func TestDenyDeviceIdempotent(t *testing.T) {
	ctx := context.Background()
	s := memstore.New()
	iss := tokens.NewIssuer(s, time.Hour)
	for range 2 {
		if err := iss.DenyDevice(ctx, "acme", "dev-1"); err != nil {
			t.Fatal(err)
		}
	}
	b, err := s.Get(ctx, "denylist:acme")
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `["dev-1"]` {
		t.Fatalf("deny list = %s", b)
	}
}
