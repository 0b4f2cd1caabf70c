package ratelimit

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/marlin/internal/clock"
	"example.com/marlin/internal/kv"
	"example.com/marlin/internal/kv/memkv"
)

// flakyGets embeds the store interface and fails every read.
type flakyGets struct {
	kv.Store
}

func (flakyGets) Get(context.Context, string) ([]byte, error) { return nil, errors.New("unavailable") }

func TestGateLimits(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	c := clock.Func(func() time.Time { return now })
	g := NewGate(memkv.New(c), c, "test", 2, time.Minute)
	ctx := context.Background()
	for i := range 2 {
		if err := g.Allow(ctx, "a"); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	if err := g.Allow(ctx, "a"); !errors.Is(err, ErrLimited) {
		t.Fatalf("want limited, got %v", err)
	}
}

func TestGateSurfacesReadErrors(t *testing.T) {
	c := clock.System{}
	g := NewGate(flakyGets{Store: memkv.New(c)}, c, "test", 5, time.Minute)
	if err := g.Allow(context.Background(), "a"); err == nil {
		t.Fatal("want error")
	}
}

func TestLocalAndChain(t *testing.T) {
	c := clock.System{}
	g := Chain(NewLocal(c, 1, time.Hour), nil)
	if err := g.Allow(context.Background(), "x"); err != nil {
		t.Fatal(err)
	}
	if err := g.Allow(context.Background(), "x"); !errors.Is(err, ErrLimited) {
		t.Fatalf("want limited, got %v", err)
	}
}
