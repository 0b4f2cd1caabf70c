package custody

import (
	"context"
	"errors"
	"sync"
	"testing"

	"example.com/pylon/internal/storage"
)

type memRW struct {
	mu   sync.Mutex
	data map[string][]byte
}

func (m *memRW) Get(_ context.Context, key string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if v, ok := m.data[key]; ok {
		return v, nil
	}
	return nil, storage.ErrNotFound
}

func (m *memRW) Put(_ context.Context, key string, v []byte, _ storage.PutOptions) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.data[key] = v
	return nil
}

func (m *memRW) Delete(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.data, key)
	return nil
}

type recorder struct{ topics []string }

func (r *recorder) Publish(_ context.Context, topic string, _ []byte) error {
	r.topics = append(r.topics, topic)
	return nil
}

func TestTransitionTable(t *testing.T) {
	ctx := context.Background()
	store := &memRW{data: map[string][]byte{}}
	pub := &recorder{}
	tr := NewTracker(store, NewLog(store), pub)
	if err := tr.Register(ctx, "S1", "nurse", "ward-3"); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Transition(ctx, "S1", StatusInTransit, "courier-7", "van"); err != nil {
		t.Fatal(err)
	}
	_, err := tr.Transition(ctx, "S1", StatusDisposed, "tech", "lab")
	var illegal ErrIllegalTransition
	if !errors.As(err, &illegal) {
		t.Fatalf("want illegal transition, got %v", err)
	}
	if len(pub.topics) != 1 {
		t.Fatalf("published %d events", len(pub.topics))
	}
}

func TestStatusString(t *testing.T) {
	for s := StatusCollected; s <= StatusRejected; s++ {
		got, err := ParseStatus(s.String())
		if err != nil || got != s {
			t.Fatalf("%v: %v %v", s, got, err)
		}
	}
}
