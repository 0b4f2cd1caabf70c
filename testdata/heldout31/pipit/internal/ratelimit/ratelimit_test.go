package ratelimit

import (
	"context"
	"sync"
	"testing"
	"time"

	"example.com/pipit/internal/kvop"
)

// mapExec is an in-memory kvop.Exec for tests.
func mapExec() kvop.Exec {
	var mu sync.Mutex
	data := map[string][]byte{}
	return func(_ context.Context, op kvop.Op) (kvop.Result, error) {
		mu.Lock()
		defer mu.Unlock()
		switch op.Kind {
		case kvop.OpGet:
			v, ok := data[op.Key]
			if !ok {
				return kvop.Result{}, kvop.ErrNotFound
			}
			return kvop.Result{Value: v}, nil
		case kvop.OpPut:
			data[op.Key] = op.Value
		case kvop.OpDelete:
			delete(data, op.Key)
		}
		return kvop.Result{}, nil
	}
}

func TestLimiters(t *testing.T) {
	w := Window{Limit: 2, Per: time.Minute}
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	mem := NewMemory(w)
	mem.now = func() time.Time { return now }
	shared := NewShared(w, mapExec())
	shared.now = mem.now
	for name, l := range map[string]Limiter{"memory": mem, "shared": shared} {
		for i, want := range []bool{true, true, false} {
			got, err := l.Allow(context.Background(), "203.0.113.9")
			if err != nil || got != want {
				t.Fatalf("%s call %d: got %v %v, want %v", name, i, got, err, want)
			}
		}
	}
}
