package storage_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"example.com/petrel/internal/storage"
)

// mapStore is an in-memory storage.Store.
type mapStore struct {
	mu   sync.Mutex
	data map[string][]byte
	opts map[string]storage.PutOptions
}

var _ storage.Store = (*mapStore)(nil)

func newMapStore() *mapStore {
	return &mapStore{data: map[string][]byte{}, opts: map[string]storage.PutOptions{}}
}

func (m *mapStore) Get(_ context.Context, key string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.data[key]
	if !ok {
		return nil, &storage.NotFoundError{Key: key}
	}
	return v, nil
}

func (m *mapStore) Put(_ context.Context, key string, value []byte, o storage.PutOptions) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.data[key], m.opts[key] = value, o
	return nil
}

func (m *mapStore) Delete(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.data, key)
	return nil
}

func (m *mapStore) List(_ context.Context, q storage.ListQuery) (storage.Page, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var p storage.Page
	for k := range m.data {
		if strings.HasPrefix(k, q.Prefix) {
			p.Keys = append(p.Keys, storage.KeyInfo{Name: k})
		}
	}
	p.Complete = true
	return p, nil
}

type widget struct {
	ID    string `json:"id"`
	Color string `json:"color"`
}

func (w *widget) Key() string     { return "widget/" + w.ID }
func (w *widget) SetID(id string) { w.ID = id }

func TestLoadMissing(t *testing.T) {
	_, err := storage.Load[widget](context.Background(), newMapStore(), "w1")
	if !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("want ErrNotFound, got %v", err)
	}
	var nf *storage.NotFoundError
	if !errors.As(err, &nf) || nf.Key != "widget/w1" {
		t.Fatalf("want *NotFoundError for widget/w1, got %v", err)
	}
}

func TestSaveLoadMutate(t *testing.T) {
	ctx, st := context.Background(), newMapStore()
	if err := storage.Save(ctx, st, &widget{ID: "w1", Color: "red"}, storage.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	got, err := storage.Mutate[widget](ctx, st, "w1", storage.PutOptions{}, func(w *widget) error {
		w.Color = "blue"
		return nil
	})
	if err != nil || got.Color != "blue" {
		t.Fatalf("mutate: %v %+v", err, got)
	}
	again, err := storage.Load[widget](ctx, st, "w1")
	if err != nil || again.Color != "blue" {
		t.Fatalf("load: %v %+v", err, again)
	}
}
