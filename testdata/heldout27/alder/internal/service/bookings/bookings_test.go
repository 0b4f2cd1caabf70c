package bookings

import (
	"context"
	"errors"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"example.com/alder/internal/domain"
	"example.com/alder/internal/storage"
)

// fakeStore is an in-memory storage.Store.
type fakeStore struct {
	mu   sync.Mutex
	data map[string][]byte
	puts int
}

var _ storage.Store = (*fakeStore)(nil)

func newFakeStore() *fakeStore { return &fakeStore{data: map[string][]byte{}} }

func (f *fakeStore) Get(_ context.Context, key string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.data[key]
	if !ok {
		return nil, &storage.NotFoundError{Key: key}
	}
	return v, nil
}

func (f *fakeStore) Put(_ context.Context, key string, value []byte, _ storage.PutOptions) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.data[key] = append([]byte(nil), value...)
	f.puts++
	return nil
}

func (f *fakeStore) Delete(_ context.Context, key string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.data, key)
	return nil
}

func (f *fakeStore) List(_ context.Context, q storage.ListQuery) (storage.Page, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var keys []string
	for k := range f.data {
		if strings.HasPrefix(k, q.Prefix) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return storage.Page{Keys: keys, Complete: true}, nil
}

func TestClaimDeskTwice(t *testing.T) {
	ctx := context.Background()
	s := NewService(newFakeStore())
	day := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	if err := s.ClaimDesk(ctx, "ber-mitte", "a-14", day, "m1"); err != nil {
		t.Fatal(err)
	}
	err := s.ClaimDesk(ctx, "ber-mitte", "A-14", day, "m2")
	if !errors.Is(err, ErrTaken) {
		t.Fatalf("second claim: got %v, want ErrTaken", err)
	}
}

func TestBookRoomConflict(t *testing.T) {
	ctx := context.Background()
	s := NewService(newFakeStore(), WithLocation(time.UTC))
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	a := domain.Slot{Start: start, End: start.Add(time.Hour), Member: "m1"}
	b := domain.Slot{Start: start.Add(30 * time.Minute), End: start.Add(2 * time.Hour), Member: "m2"}
	if err := s.BookRoom(ctx, "ber-mitte", "orange", a); err != nil {
		t.Fatal(err)
	}
	if err := s.BookRoom(ctx, "ber-mitte", "orange", b); !errors.Is(err, ErrConflict) {
		t.Fatalf("overlap: got %v", err)
	}
}

func TestDeskClaims(t *testing.T) {
	ctx := context.Background()
	st := newFakeStore()
	s := NewService(st)
	day := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	_ = s.ClaimDesk(ctx, "ber-mitte", "A-1", day, "m1")
	_ = s.ClaimDesk(ctx, "ber-mitte", "A-2", day.AddDate(0, 0, 1), "m1")
	keys, err := s.DeskClaims(ctx, "ber-mitte", day)
	if err != nil || len(keys) != 1 {
		t.Fatalf("got %v, %v", keys, err)
	}
}
