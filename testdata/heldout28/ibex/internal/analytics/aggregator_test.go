package analytics

import (
	"context"
	"errors"
	"sync"
	"testing"

	"example.com/ibex/internal/codec"
)

var errNoKey = errors.New("no key")

type memTally struct {
	mu   sync.Mutex
	data map[string][]byte
}

func (m *memTally) Get(_ context.Context, key string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if v, ok := m.data[key]; ok {
		return v, nil
	}
	return nil, errNoKey
}

func (m *memTally) Put(_ context.Context, key string, val []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.data[key] = val
	return nil
}

var (
	_ tallyStore = (*memTally)(nil)
	_ blobStore  = (*memTally)(nil)
)

func TestFlush(t *testing.T) {
	st := &memTally{data: map[string][]byte{}}
	a := NewAggregator(st, func(err error) bool { return errors.Is(err, errNoKey) }, 2)
	a.Add("ep1", 3)
	a.Add("ep2", 1)
	a.Add("ep1", 2)
	for ep, err := range a.Flush(context.Background()) {
		if err != nil {
			t.Fatalf("%s: %v", ep, err)
		}
	}
	n, err := codec.ReadUint64(st.data["listens:ep1"])
	if err != nil || n != 5 {
		t.Fatalf("ep1 = %d, %v", n, err)
	}
}
