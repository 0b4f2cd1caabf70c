package cached

import (
	"context"
	"testing"
	"time"

	"example.com/community/internal/store"
	"example.com/community/internal/store/memstore"
)

type countingKV struct {
	store.KV
	gets int
	last store.GetOptions
}

func (c *countingKV) Get(ctx context.Context, key string, opts ...store.GetOption) ([]byte, error) {
	c.gets++
	c.last = store.Apply(opts)
	return c.KV.Get(ctx, key, opts...)
}

func TestReadThrough(t *testing.T) {
	ctx := context.Background()
	inner := &countingKV{KV: memstore.New()}
	s := New(inner, WithLocalTTL(time.Minute), WithEdgeCacheTTL(5*time.Minute))
	if err := s.Put(ctx, "k", []byte("v")); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		v, err := s.Get(ctx, "k")
		if err != nil || string(v) != "v" {
			t.Fatalf("get = %q %v", v, err)
		}
	}
	if inner.gets != 0 {
		t.Fatalf("inner gets = %d", inner.gets)
	}
	if _, err := s.Get(ctx, "missing"); !store.IsNotFound(err) {
		t.Fatal(err)
	}
	if inner.last.CacheTTL != 5*time.Minute {
		t.Fatalf("cacheTTL = %v", inner.last.CacheTTL)
	}
}
