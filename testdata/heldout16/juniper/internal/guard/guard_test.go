package guard

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/juniper/internal/kvstore"
)

type flaky struct {
	kvstore.Store
	fail bool
}

func (f *flaky) Get(ctx context.Context, key string) ([]byte, error) {
	if f.fail {
		return nil, errors.New("boom")
	}
	return f.Store.Get(ctx, key)
}

func TestBreakerOpensAndRecovers(t *testing.T) {
	mem := kvstore.NewMemory()
	ctx := context.Background()
	_ = mem.Put(ctx, "k", []byte("v"))
	f := &flaky{Store: mem, fail: true}
	now := time.Unix(0, 0)
	b := NewBreaker(f, 2, time.Minute, nil)
	b.now = func() time.Time { return now }

	for range 2 {
		if _, err := b.Get(ctx, "k"); err == nil {
			t.Fatal("expected failure")
		}
	}
	if _, err := b.Get(ctx, "k"); !errors.Is(err, ErrOpen) {
		t.Fatalf("want ErrOpen, got %v", err)
	}
	f.fail = false
	now = now.Add(2 * time.Minute)
	if v, err := b.Get(ctx, "k"); err != nil || string(v) != "v" {
		t.Fatalf("probe: %q %v", v, err)
	}
}

func TestNotFoundIsNotAFailure(t *testing.T) {
	b := NewBreaker(kvstore.NewMemory(), 1, time.Minute, nil)
	for range 3 {
		if _, err := b.Get(context.Background(), "missing"); !errors.Is(err, kvstore.ErrNotFound) {
			t.Fatalf("got %v", err)
		}
	}
}
