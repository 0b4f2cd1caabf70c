package partner

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/pylon/internal/storage"
)

type mapStore map[string][]byte

func (m mapStore) Get(_ context.Context, k string) ([]byte, error) {
	if v, ok := m[k]; ok {
		return v, nil
	}
	return nil, storage.ErrNotFound
}

func (m mapStore) Put(_ context.Context, k string, v []byte, _ storage.PutOptions) error {
	m[k] = v
	return nil
}

func (m mapStore) Delete(_ context.Context, k string) error {
	delete(m, k)
	return nil
}

func TestQuotaTake(t *testing.T) {
	store := mapStore{}
	q := NewQuota(store, func(_ context.Context, id string) (Plan, error) {
		return Plan{PartnerID: id, PerHour: 2}, nil
	})
	q.now = func() time.Time { return time.Date(2025, 3, 1, 10, 15, 0, 0, time.UTC) }
	ctx := context.Background()
	for i := 0; i < 2; i++ {
		if _, err := q.Take(ctx, "p1"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := q.Take(ctx, "p1"); !errors.Is(err, ErrOverQuota) {
		t.Fatalf("want over quota, got %v", err)
	}
}
