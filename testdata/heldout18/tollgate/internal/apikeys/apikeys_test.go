package apikeys

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"example.com/tollgate/internal/domain"
	"example.com/tollgate/internal/storage"
	"example.com/tollgate/internal/storage/memstore"
)

func newService(t *testing.T) (*Service, *memstore.Store) {
	t.Helper()
	st := memstore.New()
	svc := New(st, Config{Lifetime: 24 * time.Hour, TombstoneRetention: time.Hour, MaxFailed: 3}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	return svc, st
}

func TestIssueAndVerify(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService(t)
	k, token, err := svc.Issue(ctx, "t1", "pro", []domain.Scope{domain.ScopeRead})
	if err != nil {
		t.Fatal(err)
	}
	got, err := svc.Verify(ctx, token)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if got.ID != k.ID || !got.Has(domain.ScopeRead) || got.Has(domain.ScopeBilling) {
		t.Fatalf("unexpected key %+v", got)
	}
	if _, err := svc.Verify(ctx, "tg_"+string(k.ID)+"_wrong"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("wrong secret: got %v", err)
	}
}

func TestRevokeLeavesTombstone(t *testing.T) {
	ctx := context.Background()
	svc, st := newService(t)
	k, token, err := svc.Issue(ctx, "t1", "pro", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Revoke(ctx, k.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Verify(ctx, token); !errors.Is(err, ErrRevoked) {
		t.Fatalf("verify after revoke: got %v", err)
	}
	if _, err := st.Get(ctx, "apikey:"+string(k.ID)); err != nil {
		t.Fatalf("tombstone missing: %v", err)
	}
}

func TestLockoutAfterFailures(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService(t)
	var saved []string
	svc.save = func(ctx context.Context, key string, value []byte, opts storage.PutOptions) error {
		saved = append(saved, string(value))
		return nil
	}
	k, _, err := svc.Issue(ctx, "t1", "pro", nil)
	if err != nil {
		t.Fatal(err)
	}
	bad := "tg_" + string(k.ID) + "_nope"
	_, _ = svc.Verify(ctx, bad)
	_, _ = svc.Verify(ctx, bad)
	_, _ = svc.Verify(ctx, bad)
	if len(saved) != 3 || saved[2] != "3" {
		t.Fatalf("failures recorded: %v", saved)
	}
}

func TestListForTenantUsesMetadata(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService(t)
	for range 3 {
		if _, _, err := svc.Issue(ctx, "t2", "free", []domain.Scope{domain.ScopeAdmin}); err != nil {
			t.Fatal(err)
		}
	}
	page, cursor, err := svc.ListForTenant(ctx, "t2", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != 3 || cursor != "" {
		t.Fatalf("got %d keys, cursor %q", len(page), cursor)
	}
	if page[0].Plan != "free" || page[0].Scopes != "admin" {
		t.Fatalf("summary from metadata: %+v", page[0])
	}
}
