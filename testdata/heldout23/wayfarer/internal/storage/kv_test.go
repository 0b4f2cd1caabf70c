package storage_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"example.com/wayfarer/internal/storage"
)

// pagedStore is a fake Store whose List returns fixed-size pages and
// records every query it receives.
type pagedStore struct {
	keys    []string
	pageLen int
	queries []storage.ListQuery
	puts    map[string]storage.PutOptions
}

func (p *pagedStore) Get(context.Context, string) ([]byte, error) { return nil, storage.ErrNotFound }

func (p *pagedStore) Put(_ context.Context, key string, _ []byte, opts ...storage.Option[storage.PutOptions]) error {
	if p.puts == nil {
		p.puts = map[string]storage.PutOptions{}
	}
	p.puts[key] = storage.Apply(storage.PutOptions{}, opts...)
	return nil
}

func (p *pagedStore) Delete(context.Context, string) error { return nil }

func (p *pagedStore) List(_ context.Context, q storage.ListQuery) (storage.Page, error) {
	p.queries = append(p.queries, q)
	var match []string
	for _, k := range p.keys {
		if strings.HasPrefix(k, q.Prefix) {
			match = append(match, k)
		}
	}
	start, _ := strconv.Atoi(q.Cursor)
	end := min(start+p.pageLen, len(match))
	page := storage.Page{Complete: end == len(match)}
	for _, k := range match[start:end] {
		page.Keys = append(page.Keys, storage.KeyInfo{Name: k})
	}
	if !page.Complete {
		page.Cursor = strconv.Itoa(end)
	}
	return page, nil
}

func TestKeysFollowsCursorAndKeepsPrefix(t *testing.T) {
	fs := &pagedStore{pageLen: 2}
	for i := range 5 {
		fs.keys = append(fs.keys, "trip:"+strconv.Itoa(i))
	}
	fs.keys = append(fs.keys, "user:1")
	var got []string
	for ki, err := range storage.NewKV(fs).Keys(context.Background(), "trip:") {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, ki.Name)
	}
	if len(got) != 5 {
		t.Fatalf("got %v", got)
	}
	for _, q := range fs.queries {
		if q.Prefix != "trip:" {
			t.Fatalf("prefix dropped: %+v", q)
		}
	}
}

func TestKeysMaxKeys(t *testing.T) {
	fs := &pagedStore{pageLen: 10, keys: []string{"a1", "a2", "a3", "a4"}}
	n := 0
	for range storage.NewKV(fs).Keys(context.Background(), "a", storage.MaxKeys(3)) {
		n++
	}
	if n != 3 {
		t.Fatalf("n = %d", n)
	}
}

func TestEntryIsImmutable(t *testing.T) {
	fs := &pagedStore{}
	base := storage.NewKV(fs).Entry("k").String("v")
	if err := base.TTL(2 * time.Minute).Put(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := base.Put(context.Background()); err != nil {
		t.Fatal(err)
	}
	if fs.puts["k"].TTL != 0 {
		t.Fatalf("template picked up TTL: %+v", fs.puts["k"])
	}
}

func TestChainOrder(t *testing.T) {
	fs := &pagedStore{}
	s := storage.Chain(fs, storage.WithPrefix("a:"), storage.WithPrefix("b:"))
	// The outer prefix is applied first, so the inner one ends up leftmost.
	_ = s.Put(context.Background(), "k", nil)
	keys := slices.Collect(func(yield func(string) bool) {
		for k := range fs.puts {
			if !yield(k) {
				return
			}
		}
	})
	if len(keys) != 1 || keys[0] != "b:a:k" {
		t.Fatalf("keys = %v", keys)
	}
}
