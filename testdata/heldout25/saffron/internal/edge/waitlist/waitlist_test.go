package waitlist

import (
	"context"
	"sync"
	"testing"

	"example.com/saffron/internal/domain"
	"example.com/saffron/internal/storage"
)

// fakeBlob is a map-backed storage.Blob that records writes.
type fakeBlob struct {
	mu     sync.Mutex
	data   map[string][]byte
	writes int
}

func newFakeBlob() *fakeBlob { return &fakeBlob{data: map[string][]byte{}} }

func (f *fakeBlob) Get(_ context.Context, key string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, ok := f.data[key]
	if !ok {
		return nil, storage.ErrNotFound
	}
	return b, nil
}

func (f *fakeBlob) Put(_ context.Context, key string, value []byte, _ ...storage.PutOption) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.data[key] = value
	f.writes++
	return nil
}

func (f *fakeBlob) Delete(_ context.Context, key string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.data, key)
	return nil
}

func (f *fakeBlob) List(_ context.Context, prefix, _ string, _ int) (storage.Page, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := storage.Page{Complete: true}
	for k := range f.data {
		if len(k) >= len(prefix) && k[:len(prefix)] == prefix {
			p.Keys = append(p.Keys, storage.KeyInfo{Name: k})
		}
	}
	return p, nil
}

var _ storage.Blob = (*fakeBlob)(nil)

func TestRegisterAndList(t *testing.T) {
	b := newFakeBlob()
	svc := New(b, Options{})
	ctx := context.Background()
	for _, id := range []string{"a", "b"} {
		if err := svc.Register(ctx, "v1", domain.WaitlistEntry{PartyID: id, Party: 2}); err != nil {
			t.Fatal(err)
		}
	}
	got, next, err := svc.Parties(ctx, "v1", "")
	if err != nil || next != "" || len(got) != 2 {
		t.Fatalf("got %d parties, next %q, err %v", len(got), next, err)
	}
}
