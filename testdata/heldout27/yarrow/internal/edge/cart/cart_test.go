package cart

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/yarrow/internal/config"
	"example.com/yarrow/internal/domain"
	"example.com/yarrow/internal/storage"
)

type fakeStore struct{ data map[string][]byte }

func (f *fakeStore) Get(_ context.Context, key string) ([]byte, error) {
	if v, ok := f.data[key]; ok {
		return v, nil
	}
	return nil, &storage.NotFoundError{Key: key}
}

func (f *fakeStore) Put(_ context.Context, key string, value []byte, _ storage.WriteOptions) error {
	f.data[key] = value
	return nil
}

func (f *fakeStore) Delete(_ context.Context, key string) error {
	delete(f.data, key)
	return nil
}

func (f *fakeStore) List(context.Context, storage.ListQuery) (storage.Page, error) {
	return storage.Page{Complete: true}, nil
}

type fixedPrices map[string]domain.Cents

func (p fixedPrices) Price(_ context.Context, _ domain.RestaurantID, item string) (domain.Cents, error) {
	if c, ok := p[item]; ok {
		return c, nil
	}
	return 0, errors.New("unknown item")
}

type frozenClock struct{ t time.Time }

func (c frozenClock) Now() time.Time { return c.t }

func TestAddLineMergesIdenticalLines(t *testing.T) {
	ctx := context.Background()
	cfg := config.Config{Carts: config.Expiry{TTLSeconds: 3600}}
	s := ProvideService(&fakeStore{data: map[string][]byte{}}, fixedPrices{"bao": 450}, frozenClock{time.Unix(1_700_000_000, 0)}, cfg)
	c, err := s.Open(ctx, "Ana@Example.com ")
	if err != nil {
		t.Fatal(err)
	}
	line := domain.CartLine{Restaurant: "r-bao-house", ItemID: "bao", Quantity: 2}
	if _, err := s.AddLine(ctx, c.ID, line); err != nil {
		t.Fatal(err)
	}
	got, err := s.AddLine(ctx, c.ID, line)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Lines) != 1 || got.Lines[0].Quantity != 4 || got.Total() != 1800 {
		t.Fatalf("unexpected cart %+v", got)
	}
}

func TestGetUnknownCart(t *testing.T) {
	s := ProvideService(&fakeStore{data: map[string][]byte{}}, fixedPrices{}, frozenClock{}, config.Config{})
	if _, err := s.Get(context.Background(), "c_missing"); !errors.Is(err, ErrNoCart) {
		t.Fatalf("want ErrNoCart, got %v", err)
	}
}
