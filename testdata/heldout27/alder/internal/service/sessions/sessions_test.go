package sessions

import (
	"context"
	"errors"
	"testing"

	"example.com/alder/internal/config"
	"example.com/alder/internal/storage"
)

type mapStore map[string][]byte

func (m mapStore) Get(_ context.Context, key string) ([]byte, error) {
	if v, ok := m[key]; ok {
		return v, nil
	}
	return nil, &storage.NotFoundError{Key: key}
}

func (m mapStore) Put(_ context.Context, key string, value []byte, _ storage.PutOptions) error {
	m[key] = value
	return nil
}

func (m mapStore) Delete(_ context.Context, key string) error {
	delete(m, key)
	return nil
}

func (m mapStore) List(context.Context, storage.ListQuery) (storage.Page, error) {
	return storage.Page{Complete: true}, nil
}

func TestCreateLookupLogout(t *testing.T) {
	ctx := context.Background()
	st := mapStore{}
	svc := ProvideService(st, config.Config{})
	sess, err := svc.Create(ctx, "m1", "test")
	if err != nil {
		t.Fatal(err)
	}
	got, err := svc.Lookup(ctx, sess.ID)
	if err != nil || got.Member != "m1" {
		t.Fatalf("lookup: %v %v", got, err)
	}
	if err := svc.Logout(ctx, sess.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Lookup(ctx, sess.ID); !errors.Is(err, ErrNoSession) {
		t.Fatalf("after logout: %v", err)
	}
}
