package migrate

import (
	"context"
	"io"
	"log/slog"
	"sort"
	"strings"
	"testing"

	"example.com/avocet/internal/ops"
)

type fakeKV map[string][]byte

func (f fakeKV) exec(_ context.Context, op ops.Op) (ops.Result, error) {
	switch op.Kind {
	case ops.OpGet:
		v, ok := f[op.Key]
		return ops.Result{Value: v, Found: ok}, nil
	case ops.OpPut:
		f[op.Key] = op.Value
	case ops.OpDelete:
		delete(f, op.Key)
	case ops.OpList:
		var keys []string
		for k := range f {
			if strings.HasPrefix(k, op.Prefix) {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		return ops.Result{Keys: keys, Complete: true}, nil
	}
	return ops.Result{}, nil
}

func TestRunAppliesPending(t *testing.T) {
	kv := fakeKV{"show:s1": []byte(`{"id":"s1","title":"x"}`)}
	r := NewRunner(kv.exec, slog.New(slog.NewTextHandler(io.Discard, nil)), Default()...)
	if err := r.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if v, _ := r.Current(context.Background()); v != 2 {
		t.Fatalf("version %d", v)
	}
	if !strings.Contains(string(kv["show:s1"]), `"tags":[]`) {
		t.Fatalf("show not migrated: %s", kv["show:s1"])
	}
}
