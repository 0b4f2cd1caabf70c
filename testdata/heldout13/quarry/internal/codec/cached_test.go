package codec

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"example.com/quarry/internal/kvstore/memkv"
)

type pkg struct {
	Name    string
	Version string
}

func TestCachedReadThrough(t *testing.T) {
	calls := 0
	load := func(_ context.Context, key string) (pkg, error) {
		calls++
		return pkg{Name: key, Version: "1.2.3"}, nil
	}
	c := NewCached(memkv.New(), "p:", 10*time.Minute, load, slog.New(slog.NewTextHandler(io.Discard, nil))).WithCodec(Gob[pkg]{})
	ctx := context.Background()
	for range 3 {
		v, err := c.Get(ctx, "left-pad")
		if err != nil || v.Version != "1.2.3" {
			t.Fatalf("get = %+v, %v", v, err)
		}
	}
	if calls != 1 {
		t.Fatalf("loader called %d times, want 1", calls)
	}
}

func TestLoadMissing(t *testing.T) {
	_, ok, err := Load[pkg](context.Background(), memkv.New(), "missing")
	if ok || err != nil {
		t.Fatalf("ok=%v err=%v", ok, err)
	}
}
