package codec

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/harbor/internal/storage/memstore"
)

type point struct {
	X, Y int
	Tag  string
}

func TestGobRoundTrip(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	in := point{3, 4, "crane"}
	if err := SaveWith(ctx, st, "p", in, time.Hour, Gob[point]{}); err != nil {
		t.Fatal(err)
	}
	out, ok, err := LoadWith(ctx, st, "p", Gob[point]{})
	if err != nil || !ok || out != in {
		t.Fatalf("got %+v %v %v", out, ok, err)
	}
	if _, ok, err := Load[point](ctx, st, "missing"); ok || err != nil {
		t.Fatalf("missing: ok=%v err=%v", ok, err)
	}
}

func TestCachedLoadsOnce(t *testing.T) {
	ctx := context.Background()
	calls := 0
	c := NewCached(memstore.New(), "pt:", 10*time.Second, func(_ context.Context, id string) (point, error) {
		calls++
		if id == "bad" {
			return point{}, errors.New("upstream down")
		}
		return point{Tag: id}, nil
	})
	for range 3 {
		if p, err := c.Get(ctx, "a"); err != nil || p.Tag != "a" {
			t.Fatalf("get = %+v, %v", p, err)
		}
	}
	if calls != 1 {
		t.Fatalf("loader called %d times", calls)
	}
	if _, err := c.Get(ctx, "bad"); err == nil {
		t.Fatal("want loader error")
	}
}
