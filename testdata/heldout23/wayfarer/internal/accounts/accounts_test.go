package accounts_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/wayfarer/internal/accounts"
	"example.com/wayfarer/internal/domain"
	"example.com/wayfarer/internal/repo"
	"example.com/wayfarer/internal/storage"
)

type fakeStore struct {
	data map[string][]byte
	ttls map[string]time.Duration
}

func newFakeStore() *fakeStore {
	return &fakeStore{data: map[string][]byte{}, ttls: map[string]time.Duration{}}
}

func (f *fakeStore) Get(_ context.Context, k string) ([]byte, error) {
	if v, ok := f.data[k]; ok {
		return v, nil
	}
	return nil, storage.ErrNotFound
}

func (f *fakeStore) Put(_ context.Context, k string, v []byte, opts ...storage.Option[storage.PutOptions]) error {
	f.data[k] = v
	f.ttls[k] = storage.Apply(storage.PutOptions{}, opts...).TTL
	return nil
}

func (f *fakeStore) Delete(_ context.Context, k string) error { delete(f.data, k); return nil }

func (f *fakeStore) List(context.Context, storage.ListQuery) (storage.Page, error) {
	return storage.Page{Complete: true}, nil
}

func TestAddPointsAndTier(t *testing.T) {
	ctx := context.Background()
	loyalty := accounts.NewLoyaltyRepo(newFakeStore(), &repo.Config{Prefix: "loyalty:", TTL: time.Hour})
	acct, err := loyalty.AddPoints(ctx, "u1", 12_000)
	if err != nil || acct.Tier != "silver" {
		t.Fatalf("%+v %v", acct, err)
	}
	if _, err := loyalty.AddPoints(ctx, "u1", -20_000); !errors.Is(err, domain.ErrInvalidInput) {
		t.Fatalf("overdraw: %v", err)
	}
}

func TestSessionTTLIsClamped(t *testing.T) {
	fs := newFakeStore()
	sessions := accounts.NewSessionRepo(fs, 30*time.Second)
	s, err := sessions.Create(context.Background(), "u1", "test")
	if err != nil {
		t.Fatal(err)
	}
	if fs.ttls["sess:"+s.ID] != time.Minute {
		t.Fatalf("ttl = %s", fs.ttls["sess:"+s.ID])
	}
}
