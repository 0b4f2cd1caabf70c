package firmware

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"example.com/cobalt/internal/storage/memstore"
)

type originFunc func(ctx context.Context, channel string) (Manifest, error)

func (f originFunc) Fetch(ctx context.Context, channel string) (Manifest, error) {
	return f(ctx, channel)
}

func TestManifestCacheFillsOnce(t *testing.T) {
	var calls atomic.Int32
	origin := originFunc(func(_ context.Context, channel string) (Manifest, error) {
		calls.Add(1)
		if channel != "stable" {
			return Manifest{}, ErrUnknownChannel
		}
		return Manifest{Channel: channel, Version: "4.2.0"}, nil
	})
	c := NewManifestCache(memstore.New(), origin, 0)
	ctx := context.Background()
	for range 3 {
		m, err := c.Get(ctx, "stable")
		if err != nil || m.Version != "4.2.0" {
			t.Fatalf("get: %+v, %v", m, err)
		}
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("origin called %d times, want 1", n)
	}
	if _, err := c.Get(ctx, "nightly"); !errors.Is(err, ErrUnknownChannel) {
		t.Fatalf("unknown channel: %v", err)
	}
	if _, err := c.Get(ctx, "nightly"); !errors.Is(err, ErrUnknownChannel) {
		t.Fatalf("cached unknown channel: %v", err)
	}
	if n := calls.Load(); n != 2 {
		t.Fatalf("origin called %d times, want 2", n)
	}
}
