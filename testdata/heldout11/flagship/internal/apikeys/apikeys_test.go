package apikeys_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/flagship/internal/apikeys"
	"example.com/flagship/internal/storage/memkv"
)

func TestIssueVerifyBlock(t *testing.T) {
	ctx := context.Background()
	svc := apikeys.New(memkv.New(), nil, "acct", "ns")
	secret, rec, err := svc.Issue(ctx, "shop", "production", "alice", 30*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	got, err := svc.Verify(ctx, secret)
	if err != nil || got.ID != rec.ID {
		t.Fatalf("verify: %+v %v", got, err)
	}
	if _, err := svc.Verify(ctx, "fs_sdk_unknown"); !errors.Is(err, apikeys.ErrUnknownKey) {
		t.Fatalf("unknown: %v", err)
	}
	if err := svc.RevokeByID(ctx, rec.ID, "bob", "leaked"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Verify(ctx, secret); !errors.Is(err, apikeys.ErrRevoked) {
		t.Fatalf("after block: %v", err)
	}
}

func TestQuota(t *testing.T) {
	q := apikeys.NewQuotas(memkv.New(), 2)
	ctx := context.Background()
	for i := 0; i < 2; i++ {
		if _, err := q.Charge(ctx, "k1", 1); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := q.Charge(ctx, "k1", 1); !errors.Is(err, apikeys.ErrQuotaExceeded) {
		t.Fatalf("got %v", err)
	}
}
