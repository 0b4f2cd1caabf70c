package cache

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/quarry/internal/config"
	"example.com/quarry/internal/storage/memstore"
)

func TestReadThroughAndNegative(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	c := New(st, config.Default().Cache, func(f func()) { f() })
	calls := 0
	load := func(context.Context) ([]byte, error) { calls++; return []byte("v"), nil }
	for range 3 {
		v, err := c.Get(ctx, "k", 5*time.Minute, load)
		if err != nil || string(v) != "v" {
			t.Fatalf("%q %v", v, err)
		}
	}
	if calls != 1 {
		t.Fatalf("loader called %d times", calls)
	}
	none := func(context.Context) ([]byte, error) { return nil, ErrNoData }
	if _, err := c.Get(ctx, "missing", time.Minute, none); !errors.Is(err, ErrNoData) {
		t.Fatalf("got %v", err)
	}
	c.local.Delete("missing")
	if _, err := c.Get(ctx, "missing", time.Minute, load); !errors.Is(err, ErrNoData) {
		t.Fatalf("negative entry not honoured: %v", err)
	}
}

func TestWriteBehind(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	c := New(st, config.Default().Cache, nil)
	c.Set("a", []byte("1"), time.Hour)
	c.Set("b", []byte("2"), time.Hour)
	if st.Len() != 0 {
		t.Fatal("write happened before flush")
	}
	if err := c.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if v, err := st.Get(ctx, "b"); err != nil || string(v) != "2" {
		t.Fatalf("%q %v", v, err)
	}
}
