package accounts

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"example.com/quarry/internal/config"
	"example.com/quarry/internal/ids"
	"example.com/quarry/internal/storage"
	"example.com/quarry/internal/storage/memstore"
)

func newSvc() (*Service, *memstore.Store) {
	st := memstore.New()
	return NewService(st, config.Default().Keys), st
}

func TestClaimSlug(t *testing.T) {
	ctx := context.Background()
	s, st := newSvc()
	if err := s.ClaimSlug(ctx, "acme", "acme-prod"); err != nil {
		t.Fatal(err)
	}
	if err := s.ClaimSlug(ctx, "ACME", "other"); !errors.Is(err, ErrSlugTaken) {
		t.Fatalf("want ErrSlugTaken, got %v", err)
	}
	got, err := st.Get(ctx, "slug/acme")
	if err != nil || ids.AccountID(got) != "acme-prod" {
		t.Fatalf("resolve: %s %v", got, err)
	}
}

func TestLimitsPatch(t *testing.T) {
	ctx := context.Background()
	s, _ := newSvc()
	if _, err := s.EnsureLimits(ctx, "acme", "team"); err != nil {
		t.Fatal(err)
	}
	n := 42
	l, err := s.UpdateLimits(ctx, "acme", LimitsPatch{MaxQueries: &n})
	if err != nil {
		t.Fatal(err)
	}
	if l.Plan != "team" || l.MaxQueries != 42 {
		t.Fatalf("got %+v", l)
	}
	bad := "gold"
	if _, err := s.UpdateLimits(ctx, "acme", LimitsPatch{Plan: &bad}); !errors.Is(err, ErrUnknownPlan) {
		t.Fatalf("got %v", err)
	}
}

func TestUsageAndKeys(t *testing.T) {
	ctx := context.Background()
	s, st := newSvc()
	for i := 0; i < 3; i++ {
		if err := s.RecordUsage(ctx, "acme", 2, i == 0); err != nil {
			t.Fatal(err)
		}
	}
	raw, err := st.Get(ctx, "acct/acme/usage/"+s.now().UTC().Format("2006-01"))
	var u Usage
	if err != nil || json.Unmarshal(raw, &u) != nil || u.Requests != 6 || u.Reports != 1 {
		t.Fatalf("usage %s %v", raw, err)
	}
	_ = st.Put(ctx, "acct/acme/apikeys/ak_1", []byte(`{}`), storage.PutOptions{})
	keys, err := s.APIKeys(ctx, "acme")
	if err != nil || len(keys) != 1 || keys[0] != "ak_1" {
		t.Fatalf("keys %v %v", keys, err)
	}
}
