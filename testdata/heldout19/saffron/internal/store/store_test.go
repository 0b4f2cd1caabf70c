package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/saffron/internal/store"
	"example.com/saffron/internal/store/memstore"
)

type doc struct {
	Names []string `json:"names"`
}

func TestUpdateCreatesAndAppends(t *testing.T) {
	ctx := context.Background()
	m := memstore.New()
	for _, n := range []string{"ada", "bo"} {
		err := store.Update(ctx, m, "doc", store.SecondsOf(time.Hour), func(d *doc) error {
			d.Names = append(d.Names, n)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	got, ok, err := store.GetJSON[doc](ctx, m, "doc")
	if err != nil || !ok || len(got.Names) != 2 {
		t.Fatalf("got %+v ok=%v err=%v", got, ok, err)
	}
}

func TestUpdateNoChangeSkipsWrite(t *testing.T) {
	ctx := context.Background()
	m := memstore.New()
	err := store.Update(ctx, m, "doc", 0, func(*doc) error { return store.ErrNoChange })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Get(ctx, "doc"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("expected no write, got %v", err)
	}
}

func TestCachedServesRepeatReads(t *testing.T) {
	ctx := context.Background()
	m := memstore.New()
	_ = m.Put(ctx, "k", []byte("v1"), 0)
	c := store.NewCached(m, 8, time.Minute)
	if v, _ := c.Get(ctx, "k"); string(v) != "v1" {
		t.Fatalf("first read %q", v)
	}
	_ = m.Put(ctx, "k", []byte("v2"), 0)
	if v, _ := c.Get(ctx, "k"); string(v) != "v1" {
		t.Fatalf("cached read %q", v)
	}
	if _, err := c.Get(ctx, "missing"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("miss: %v", err)
	}
}

func TestSecondsAtLeast(t *testing.T) {
	for _, tc := range []struct{ in, want store.Seconds }{{0, 0}, {5, 60}, {600, 600}} {
		if got := tc.in.AtLeast(store.MinTTL); got != tc.want {
			t.Errorf("%d.AtLeast = %d, want %d", tc.in, got, tc.want)
		}
	}
}

func TestMemstorePaging(t *testing.T) {
	ctx := context.Background()
	m := memstore.New()
	for _, k := range []string{"a:1", "a:2", "a:3", "b:1"} {
		_ = m.Put(ctx, k, []byte("x"), 0)
	}
	p, _ := m.List(ctx, store.Query{Prefix: "a:", Limit: 2})
	if len(p.Keys) != 2 || p.Complete || p.Cursor == "" {
		t.Fatalf("first page %+v", p)
	}
	p, _ = m.List(ctx, store.Query{Prefix: "a:", Limit: 2, Cursor: p.Cursor})
	if len(p.Keys) != 1 || !p.Complete {
		t.Fatalf("second page %+v", p)
	}
}
