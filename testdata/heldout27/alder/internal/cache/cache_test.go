package cache

import (
	"context"
	"testing"
	"time"

	"example.com/alder/internal/storage"
)

type recordingStore struct {
	data map[string][]byte
	ttls map[string]time.Duration
}

func (s *recordingStore) Get(_ context.Context, key string) ([]byte, error) {
	if v, ok := s.data[key]; ok {
		return v, nil
	}
	return nil, &storage.NotFoundError{Key: key}
}

func (s *recordingStore) Put(_ context.Context, key string, value []byte, o storage.PutOptions) error {
	s.data[key], s.ttls[key] = value, o.TTL
	return nil
}

func (s *recordingStore) Delete(_ context.Context, key string) error {
	delete(s.data, key)
	return nil
}

func (s *recordingStore) List(context.Context, storage.ListQuery) (storage.Page, error) {
	return storage.Page{Complete: true}, nil
}

func TestReadThroughFillsStore(t *testing.T) {
	st := &recordingStore{data: map[string][]byte{}, ttls: map[string]time.Duration{}}
	loads := 0
	c := NewReadThrough(st, func(context.Context, string) ([]byte, error) {
		loads++
		return []byte("v"), nil
	}, 10*time.Second, time.Second)
	for range 3 {
		if _, err := c.Get(context.Background(), "k"); err != nil {
			t.Fatal(err)
		}
	}
	if loads != 1 || st.ttls["k"] < time.Minute {
		t.Fatalf("loads=%d ttl=%v", loads, st.ttls["k"])
	}
}
