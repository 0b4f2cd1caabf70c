package accounts

import (
	"context"
	"errors"
	"testing"

	"example.com/shortlinks/internal/store/memstore"
)

func TestAPIKeyLifecycle(t *testing.T) {
	ctx := context.Background()
	svc := NewService(memstore.New())
	k, secret, err := svc.CreateAPIKey(ctx, "acct_1", "ci")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Authenticate(ctx, k.ID+"."+secret); err != nil {
		t.Fatalf("fresh key rejected: %v", err)
	}
	if _, err := svc.Authenticate(ctx, k.ID+".sk_wrong"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("wrong secret: %v", err)
	}
	if err := svc.RevokeAPIKey(ctx, "acct_2", k.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("revoke by other account: %v", err)
	}
	if err := svc.RevokeAPIKey(ctx, "acct_1", k.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Authenticate(ctx, k.ID+"."+secret); !errors.Is(err, ErrNotFound) {
		t.Fatalf("revoked key accepted: %v", err)
	}
}

func TestFindByEmailCustomLookup(t *testing.T) {
	svc := NewService(memstore.New(), WithLookup(func(context.Context, string) (string, error) { return "", nil }))
	if _, err := svc.FindByEmail(context.Background(), "x@example.com"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("got %v", err)
	}
}
