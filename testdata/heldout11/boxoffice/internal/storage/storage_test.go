package storage_test

import (
	"context"
	"fmt"
	"testing"

	"example.com/boxoffice/internal/storage"
	"example.com/boxoffice/internal/storage/memstore"
)

func TestUnitOfWorkCommitsOncePerKey(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	_ = st.Put(ctx, "gone", []byte("x"))
	u := storage.Begin(st)
	u.Put("a", []byte("1"))
	u.Put("a", []byte("2"))
	u.Put("b", []byte("1"))
	u.Delete("gone")
	if u.Len() != 3 {
		t.Fatalf("Len = %d", u.Len())
	}
	if err := u.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if st.Writes["a"] != 1 {
		t.Fatalf("a written %d times", st.Writes["a"])
	}
	if v, _ := st.Get(ctx, "a"); string(v) != "2" {
		t.Fatalf("a = %q", v)
	}
	if ok, _ := storage.Exists(ctx, st, "gone"); ok {
		t.Fatal("deleted key still present")
	}
	if err := u.Commit(ctx); err == nil {
		t.Fatal("second commit succeeded")
	}
}

func TestKeysWalksPages(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	for i := 0; i < 2500; i++ {
		_ = st.Put(ctx, fmt.Sprintf("p/%05d", i), nil)
	}
	_ = st.Put(ctx, "q/other", nil)
	n := 0
	for k, err := range storage.Keys(ctx, st, "p/") {
		if err != nil {
			t.Fatal(err)
		}
		if k.Name[:2] != "p/" {
			t.Fatalf("unexpected key %s", k.Name)
		}
		n++
	}
	if n != 2500 {
		t.Fatalf("walked %d keys", n)
	}
}
