package kvop_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"

	"example.com/shrike/internal/kvop"
)

// memExec is an in-memory executor used by the tests of this package.
func memExec() (kvop.Exec, map[string][]byte) {
	var mu sync.Mutex
	data := map[string][]byte{}
	return func(_ context.Context, op kvop.Op) (kvop.Result, error) {
		mu.Lock()
		defer mu.Unlock()
		switch op.Kind {
		case kvop.Get:
			v, ok := data[op.Key]
			return kvop.Result{Value: v, Found: ok}, nil
		case kvop.Put:
			data[op.Key] = op.Value
		case kvop.Delete:
			delete(data, op.Key)
		case kvop.List:
			var keys []string
			for k := range data {
				if strings.HasPrefix(k, op.Prefix) {
					keys = append(keys, k)
				}
			}
			slices.Sort(keys)
			return kvop.Result{Keys: keys, Complete: true}, nil
		}
		return kvop.Result{}, nil
	}, data
}

func TestPrefixScopesKeys(t *testing.T) {
	base, data := memExec()
	exec := kvop.Chain(base, kvop.Prefix("tenant:"))
	ctx := context.Background()
	if _, err := exec(ctx, kvop.PutOp("a", []byte("1"), 0)); err != nil {
		t.Fatal(err)
	}
	if _, ok := data["tenant:a"]; !ok {
		t.Fatalf("key not prefixed: %v", data)
	}
	res, err := exec(ctx, kvop.ListOp("", "", 10))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Keys, []string{"a"}) {
		t.Fatalf("listed %v", res.Keys)
	}
}

func TestMetricsCounts(t *testing.T) {
	base, _ := memExec()
	var c kvop.Counters
	exec := kvop.Chain(base, kvop.Metrics(&c))
	_, _ = exec(context.Background(), kvop.GetOp("x"))
	if got := c.Snapshot()["gets"]; got != 1 {
		t.Fatalf("gets = %d", got)
	}
}
