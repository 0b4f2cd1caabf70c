package unlock

import (
	"context"
	"errors"
	"testing"

	"example.com/ember/internal/kvstore"
)

type memStore map[string][]byte

func (m memStore) Get(_ context.Context, key string) ([]byte, error) {
	v, ok := m[key]
	if !ok {
		return nil, kvstore.ErrNotFound
	}
	return v, nil
}

func (m memStore) Put(_ context.Context, key string, value []byte, _ ...kvstore.PutOption) error {
	m[key] = value
	return nil
}

func (m memStore) Delete(_ context.Context, key string) error {
	delete(m, key)
	return nil
}

func (m memStore) List(context.Context, kvstore.ListQuery) (kvstore.Page, error) {
	return kvstore.Page{}, nil
}

func TestIssueAndRedeem(t *testing.T) {
	ctx := context.Background()
	svc := NewService(memStore{})
	c, err := svc.Issue(ctx, "rider-1", "scooter-9")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Redeem(ctx, "scooter-9", c.Code); err != nil {
		t.Fatalf("first redeem: %v", err)
	}
	if _, err := svc.Redeem(ctx, "scooter-9", c.Code); !errors.Is(err, ErrBadCode) {
		t.Fatalf("second redeem: got %v, want ErrBadCode", err)
	}
}

func TestLockAfterFailures(t *testing.T) {
	ctx := context.Background()
	svc := NewService(memStore{}, WithMaxAttempts(2))
	for range 2 {
		_, _ = svc.Redeem(ctx, "bike-3", "000000")
	}
	if _, err := svc.Redeem(ctx, "bike-3", "000000"); !errors.Is(err, ErrLocked) {
		t.Fatalf("got %v, want ErrLocked", err)
	}
}
