package tracking

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/yarrow/internal/config"
	"example.com/yarrow/internal/domain"
	"example.com/yarrow/internal/storage"
)

type store struct {
	data map[string][]byte
	ttls map[string]time.Duration
}

func (s *store) Get(_ context.Context, key string) ([]byte, error) {
	if v, ok := s.data[key]; ok {
		return v, nil
	}
	return nil, &storage.NotFoundError{Key: key}
}

func (s *store) Put(_ context.Context, key string, value []byte, o storage.WriteOptions) error {
	s.data[key], s.ttls[key] = value, o.TTL
	return nil
}

func (s *store) Delete(_ context.Context, key string) error {
	delete(s.data, key)
	return nil
}

func (s *store) List(context.Context, storage.ListQuery) (storage.Page, error) {
	return storage.Page{Complete: true}, nil
}

type clock struct{ now time.Time }

func (c clock) Now() time.Time { return c.now }

func TestAdvanceRejectsGoingBack(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2025, 6, 1, 19, 0, 0, 0, time.UTC)
	st := &store{data: map[string][]byte{}, ttls: map[string]time.Duration{}}
	var saved []string
	s := ProvideService(st, clock{now}, config.Config{Tracking: config.Expiry{TTLSeconds: 3600}},
		func(_ context.Context, key string, _ []byte) error { saved = append(saved, key); return nil })
	o := &domain.Order{ID: "o_1", Restaurant: "r-bao", PlacedAt: now, PromisedAt: now.Add(40 * time.Minute)}
	if err := s.Start(ctx, o); err != nil {
		t.Fatal(err)
	}
	if len(saved) != 1 {
		t.Fatalf("OnSave called %d times", len(saved))
	}
	if err := s.Advance(ctx, "r-bao", "o_1", domain.StatusCooking, ""); err != nil {
		t.Fatal(err)
	}
	if err := s.Advance(ctx, "r-bao", "o_1", domain.StatusAccepted, ""); !errors.Is(err, ErrBadTransition) {
		t.Fatalf("want ErrBadTransition, got %v", err)
	}
	if err := s.Advance(ctx, "r-bao", "o_2", domain.StatusCooking, ""); !errors.Is(err, ErrUnknownOrder) {
		t.Fatalf("want ErrUnknownOrder, got %v", err)
	}
}
