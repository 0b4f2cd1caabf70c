package kvstore

import (
	"context"
	"fmt"
	"iter"
	"testing"

	"example.com/wicket/internal/kvport/memkv"
)

type item struct {
	N int `json:"n"`
}

func TestPagesPull(t *testing.T) {
	ctx := context.Background()
	kv := memkv.New()
	s := New[string, item](kv, "item:")
	for i := range 25 {
		if err := s.Put(ctx, fmt.Sprintf("%03d", i), item{N: i}); err != nil {
			t.Fatal(err)
		}
	}
	next, stop := iter.Pull2(s.Pages(ctx, 10))
	defer stop()
	var seen int
	for range 2 {
		page, err, ok := next()
		if !ok || err != nil {
			t.Fatalf("page: ok=%v err=%v", ok, err)
		}
		seen += len(page.Keys)
	}
	if seen != 20 {
		t.Fatalf("saw %d keys in two pages", seen)
	}
	v, found, err := s.Get(ctx, "007")
	if err != nil || !found || v.N != 7 {
		t.Fatalf("get: %v %v %v", v, found, err)
	}
	if _, found, _ := s.Get(ctx, "999"); found {
		t.Fatal("missing key reported found")
	}
}
