//go:build js && wasm

package reservation

import (
	"context"
	"errors"
	"testing"
	"time"
)

type memSlots map[string][]byte

func (m memSlots) Get(_ context.Context, k string) ([]byte, bool, error) {
	v, ok := m[k]
	return v, ok, nil
}
func (m memSlots) PutFor(_ context.Context, k string, v []byte, _ time.Duration) error {
	m[k] = v
	return nil
}
func (m memSlots) PutAtLeast(ctx context.Context, k string, v []byte, ttl time.Duration) error {
	return m.PutFor(ctx, k, v, ttl)
}

func TestReserveTwice(t *testing.T) {
	s := NewService(memSlots{})
	start := time.Now().Add(2 * time.Hour)
	if _, err := s.Reserve(context.Background(), "d1", "CP-1", 1, start, 2); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Reserve(context.Background(), "d2", "CP-1", 1, start, 2); !errors.Is(err, ErrTaken) {
		t.Fatalf("second reserve: %v", err)
	}
}
