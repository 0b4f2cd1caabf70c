package typed_test

import (
	"context"
	"testing"
	"time"

	"example.com/bramble/internal/platform/kvstore"
	"example.com/bramble/internal/platform/kvstore/memkv"
	"example.com/bramble/internal/platform/typed"
)

type profile struct {
	Name string `json:"name"`
	Age  int    `json:"age"`
}

func TestLookupMissAndHit(t *testing.T) {
	ctx := context.Background()
	st := typed.New[string, profile](memkv.New(), "p:")
	if _, found, err := st.Lookup(ctx, "ada"); err != nil || found {
		t.Fatalf("Lookup on empty store = found %v, err %v", found, err)
	}
	if err := st.Put(ctx, "ada", profile{Name: "Ada", Age: 36}, kvstore.WithTTL(time.Hour)); err != nil {
		t.Fatal(err)
	}
	got, found, err := st.Lookup(ctx, "ada")
	if err != nil || !found || got.Name != "Ada" {
		t.Fatalf("Lookup = %+v, %v, %v", got, found, err)
	}
}

func TestPutAllAndPaging(t *testing.T) {
	ctx := context.Background()
	kv := memkv.New()
	st := typed.New[string, int](kv, "n:")
	pairs := []typed.Pair[string, int]{{Key: "a", Value: 1}, {Key: "b", Value: 2}, {Key: "c", Value: 3}}
	if err := st.PutAll(ctx, pairs); err != nil {
		t.Fatal(err)
	}
	keys, next, err := st.Page(ctx, "", "", 2)
	if err != nil || len(keys) != 2 || next == "" {
		t.Fatalf("first page = %v, %q, %v", keys, next, err)
	}
	rest, next, err := st.Page(ctx, "", next, 2)
	if err != nil || len(rest) != 1 || rest[0] != "c" || next != "" {
		t.Fatalf("second page = %v, %q, %v", rest, next, err)
	}
}

func TestTakeStopsAtBudget(t *testing.T) {
	ctx := context.Background()
	kv := memkv.New()
	for _, k := range []string{"x:1", "x:2", "x:3", "x:4", "y:1"} {
		if err := kv.Put(ctx, k, []byte("v")); err != nil {
			t.Fatal(err)
		}
	}
	keys, more, err := kvstore.Take(ctx, kv, kvstore.Keys("x:").Limit(1), 3)
	if err != nil || len(keys) != 3 || !more {
		t.Fatalf("Take = %d keys, more %v, err %v", len(keys), more, err)
	}
}
