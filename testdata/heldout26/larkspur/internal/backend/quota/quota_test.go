package quota

import (
	"context"
	"errors"
	"testing"

	"example.com/larkspur/internal/domain"
	"example.com/larkspur/internal/keys"
	"example.com/larkspur/internal/kvstore"
)

type stubStore map[string][]byte

func (s stubStore) Get(_ context.Context, key string, _ ...kvstore.Option) ([]byte, error) {
	if v, ok := s[key]; ok {
		return v, nil
	}
	return nil, kvstore.ErrNotFound
}

func (s stubStore) Put(_ context.Context, key string, value []byte, _ ...kvstore.Option) error {
	s[key] = value
	return nil
}

func (s stubStore) Delete(_ context.Context, key string) error {
	delete(s, key)
	return nil
}

func (s stubStore) List(context.Context, string, ...kvstore.Option) (kvstore.Page, error) {
	return kvstore.Page{Complete: true}, nil
}

type fixedBilling domain.Plan

func (b fixedBilling) PlanOf(context.Context, string) (domain.Plan, error) {
	return domain.Plan(b), nil
}

func TestReserveStopsAtLimit(t *testing.T) {
	svc := New(stubStore{}, keys.New("t"), fixedBilling(domain.PlanFree), 0)
	ctx := context.Background()
	if err := svc.Reserve(ctx, "s1", 200); err != nil {
		t.Fatal(err)
	}
	if err := svc.Reserve(ctx, "s1", 200); !errors.Is(err, ErrExceeded) {
		t.Fatalf("want ErrExceeded, got %v", err)
	}
	left, _, err := svc.Remaining(ctx, "s1")
	if err != nil || left != 100 {
		t.Fatalf("remaining = %d, %v", left, err)
	}
}
