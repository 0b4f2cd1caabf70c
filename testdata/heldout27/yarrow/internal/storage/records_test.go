package storage_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"example.com/yarrow/internal/storage"
)

// mapStore is a minimal in-memory storage.Store.
type mapStore struct {
	data map[string][]byte
	opts map[string]storage.WriteOptions
}

func newMapStore() *mapStore {
	return &mapStore{data: map[string][]byte{}, opts: map[string]storage.WriteOptions{}}
}

func (m *mapStore) Get(_ context.Context, key string) ([]byte, error) {
	v, ok := m.data[key]
	if !ok {
		return nil, &storage.NotFoundError{Key: key}
	}
	return v, nil
}

func (m *mapStore) Put(_ context.Context, key string, value []byte, o storage.WriteOptions) error {
	m.data[key], m.opts[key] = value, o
	return nil
}

func (m *mapStore) Delete(_ context.Context, key string) error {
	delete(m.data, key)
	return nil
}

func (m *mapStore) List(_ context.Context, q storage.ListQuery) (storage.Page, error) {
	var keys []string
	for k := range m.data {
		if strings.HasPrefix(k, q.Prefix) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return storage.Page{Keys: keys, Complete: true}, nil
}

var _ storage.Store = (*mapStore)(nil)

type note struct {
	ID   string `json:"-"`
	Text string `json:"text"`
}

func (n *note) Key() string     { return "note:" + n.ID }
func (n *note) SetID(id string) { n.ID = id }

func TestLoadMissIsNotFound(t *testing.T) {
	_, err := storage.Load[note](context.Background(), newMapStore(), "n1")
	if !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("want ErrNotFound, got %v", err)
	}
	var nf *storage.NotFoundError
	if !errors.As(err, &nf) || nf.Key != "note:n1" {
		t.Fatalf("want NotFoundError for note:n1, got %v", err)
	}
}

func TestSaveThenMutate(t *testing.T) {
	ctx := context.Background()
	st := newMapStore()
	if err := storage.Save(ctx, st, &note{ID: "n1", Text: "a"}, storage.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	err := storage.Mutate(ctx, st, "n1", storage.WriteOptions{}, func(n *note) error {
		n.Text += "b"
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := storage.Load[note](ctx, st, "n1")
	if err != nil || got.Text != "ab" || got.ID != "n1" {
		t.Fatalf("got %+v, %v", got, err)
	}
}
