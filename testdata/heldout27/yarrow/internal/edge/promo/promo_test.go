package promo

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/yarrow/internal/domain"
	"example.com/yarrow/internal/storage"
)

type memStore map[string][]byte

func (m memStore) Get(_ context.Context, key string) ([]byte, error) {
	if v, ok := m[key]; ok {
		return v, nil
	}
	return nil, &storage.NotFoundError{Key: key}
}

func (m memStore) Put(_ context.Context, key string, value []byte, _ storage.WriteOptions) error {
	m[key] = value
	return nil
}

func (m memStore) Delete(_ context.Context, key string) error {
	delete(m, key)
	return nil
}

func (m memStore) List(context.Context, storage.ListQuery) (storage.Page, error) {
	return storage.Page{Complete: true}, nil
}

type clock time.Time

func (c clock) Now() time.Time { return time.Time(c) }

func TestSingleUseCode(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	s := ProvideService(memStore{}, clock(now))
	code, err := s.Create(ctx, domain.Promo{Code: "welc20", PercentOff: 20, SingleUse: true, ValidUntil: now.Add(48 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Redeem(ctx, code, "a@example.com"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Redeem(ctx, code, "A@example.com"); !errors.Is(err, ErrAlreadyUsed) {
		t.Fatalf("want ErrAlreadyUsed, got %v", err)
	}
}

func TestUnknownCode(t *testing.T) {
	code, _ := domain.ParseCode("NOPE42")
	_, err := ProvideService(memStore{}, clock(time.Now())).Lookup(context.Background(), code)
	if !errors.Is(err, ErrUnknownCode) {
		t.Fatalf("want ErrUnknownCode, got %v", err)
	}
}
