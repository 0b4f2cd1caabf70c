package locks

import (
	"context"
	"testing"
	"time"

	"example.com/osprey/internal/storage/memstore"
)

func TestAcquireRelease(t *testing.T) {
	m := NewManager(memstore.New(), WithLeaseTTL(10*time.Minute))
	if _, err := m.Acquire(context.Background(), "p", "prod", "ana", "deploy"); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Acquire(context.Background(), "p", "prod", "bo", "deploy"); err == nil {
		t.Fatal("want conflict")
	}
	if err := m.Release(context.Background(), "p", "prod", "ana"); err != nil {
		t.Fatal(err)
	}
}
