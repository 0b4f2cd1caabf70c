package quota

import (
	"context"
	"testing"
	"time"

	"example.com/avocet/internal/ops"
)

// mapExec is a minimal in-memory ops.Exec.
func mapExec(m map[string][]byte) ops.Exec {
	return func(_ context.Context, op ops.Op) (ops.Result, error) {
		switch op.Kind {
		case ops.OpGet:
			v, ok := m[op.Key]
			return ops.Result{Value: v, Found: ok}, nil
		case ops.OpPut:
			m[op.Key] = op.Value
			return ops.Result{}, nil
		}
		return ops.Result{}, ops.ErrUnsupported
	}
}

func TestLimiters(t *testing.T) {
	fixed := time.Date(2025, 1, 1, 12, 0, 30, 0, time.UTC)
	kvl := NewKV(mapExec(map[string][]byte{}), 2, time.Minute)
	kvl.now = func() time.Time { return fixed }
	mem := NewMemory(2, time.Minute)
	mem.now = kvl.now
	for name, l := range map[string]Limiter{"kv": kvl, "memory": mem} {
		for i, want := range []bool{true, true, false} {
			got, err := l.Allow(context.Background(), "203.0.113.9")
			if err != nil || got != want {
				t.Fatalf("%s call %d: got %v, %v", name, i, got, err)
			}
		}
	}
	if _, err := Choose("redis", nil, 1, time.Second); err == nil {
		t.Fatal("unknown limiter accepted")
	}
}
