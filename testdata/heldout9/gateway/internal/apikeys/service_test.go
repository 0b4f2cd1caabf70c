package apikeys

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/gateway/internal/config"
	"example.com/gateway/internal/keys"
	"example.com/gateway/internal/repo"
	"example.com/gateway/internal/store/memstore"
)

type fakeSource struct{ recs map[string]Record }

func (f *fakeSource) LookupByHash(_ context.Context, h string) (Record, error) {
	r, ok := f.recs[h]
	if !ok {
		return Record{}, ErrUnknownKey
	}
	return r, nil
}

func (f *fakeSource) Insert(_ context.Context, r Record) error {
	f.recs[r.Hash] = r
	return nil
}

func TestMintResolveRevoke(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	src := &fakeSource{recs: map[string]Record{}}
	svc := NewService(st, src, config.Default())
	plain, rec, err := svc.Mint(ctx, "acme", []string{"read"}, 30*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	got, err := svc.Resolve(ctx, plain)
	if err != nil || got.ID != rec.ID {
		t.Fatalf("resolve = %+v, %v", got, err)
	}
	if _, err := svc.Resolve(ctx, "gw_unknown"); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("unknown: %v", err)
	}
	if err := svc.Revoke(ctx, rec.Hash); err != nil {
		t.Fatal(err)
	}
	list, err := repo.GetJSON[[]string](ctx, st, keys.RevokedAPIKeys)
	if err != nil || len(list) != 1 {
		t.Fatalf("revoked = %v, %v", list, err)
	}
}
