package repo

import (
	"context"
	"errors"
	"testing"

	"example.com/alder/internal/domain"
	"example.com/alder/internal/storage"
)

type memStore struct{ data map[string][]byte }

func (m *memStore) Get(_ context.Context, key string) ([]byte, error) {
	if v, ok := m.data[key]; ok {
		return v, nil
	}
	return nil, &storage.NotFoundError{Key: key}
}

func (m *memStore) Put(_ context.Context, key string, value []byte, _ storage.PutOptions) error {
	m.data[key] = value
	return nil
}

func (m *memStore) Delete(_ context.Context, key string) error {
	delete(m.data, key)
	return nil
}

func (m *memStore) List(context.Context, storage.ListQuery) (storage.Page, error) {
	return storage.Page{Complete: true}, nil
}

func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	st := &memStore{data: map[string][]byte{}}
	saved := 0
	r := New[domain.DayPass](st, storage.PutOptions{}, func(context.Context, *domain.DayPass) error {
		saved++
		return nil
	})
	if err := r.Put(ctx, &domain.DayPass{ID: "p1", UsesLeft: 2}); err != nil {
		t.Fatal(err)
	}
	p, err := Load[domain.DayPass](ctx, st, "p1")
	if err != nil || p.UsesLeft != 2 || saved != 1 {
		t.Fatalf("got %+v, %v, saved=%d", p, err, saved)
	}
	_, err = r.Get(ctx, "nope")
	var nf *storage.NotFoundError
	if !errors.As(err, &nf) || nf.Key != "pass:nope" {
		t.Fatalf("miss: %v", err)
	}
}
