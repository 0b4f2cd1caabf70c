package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/thistle/internal/memstore"
	"example.com/thistle/internal/store"
)

// flakyStore embeds a real store and fails every read.
type flakyStore struct {
	store.Store
	err error
}

func (f flakyStore) Get(context.Context, string) ([]byte, error) { return nil, f.err }

type recorder struct {
	store.Store
	ttls []time.Duration
}

func (r *recorder) Put(ctx context.Context, key string, v []byte, o store.PutOptions) error {
	r.ttls = append(r.ttls, o.TTL)
	return r.Store.Put(ctx, key, v, o)
}

func TestReadThroughFillsCache(t *testing.T) {
	ctx := context.Background()
	cache := &recorder{Store: memstore.New()}
	origin := store.LoaderFunc(func(context.Context, string) ([]byte, error) { return []byte("v"), nil })
	get := store.ReadThrough(cache, origin, 5*time.Second)
	if _, err := get(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	if len(cache.ttls) != 1 || cache.ttls[0] != store.MinTTL {
		t.Fatalf("ttls = %v", cache.ttls)
	}
}

func TestFallbackPropagatesErrors(t *testing.T) {
	boom := errors.New("boom")
	f := store.Fallback(flakyStore{Store: memstore.New(), err: boom}, memstore.New())
	if _, err := f.Get(context.Background(), "k"); !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
}

func TestScope(t *testing.T) {
	ctx := context.Background()
	base := memstore.New()
	a := store.Scope(base, "a")
	_ = a.Put(ctx, "x", []byte("1"), store.PutOptions{})
	if _, err := store.Scope(base, "b").Get(ctx, "x"); !store.IsNotFound(err) {
		t.Fatalf("tenant leak: %v", err)
	}
}
