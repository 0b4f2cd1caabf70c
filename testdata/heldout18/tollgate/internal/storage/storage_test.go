package storage_test

import (
	"context"
	"errors"
	"testing"

	"example.com/tollgate/internal/storage"
	_ "example.com/tollgate/internal/storage/memstore"
	"example.com/tollgate/internal/storage/mw"
)

func TestOpenRegisteredDriver(t *testing.T) {
	st, err := storage.Open("mem", storage.DriverConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Get(context.Background(), "missing"); !storage.IsNotFound(err) {
		t.Fatalf("want ErrNotFound, got %v", err)
	}
	if _, err := storage.Open("nope", storage.DriverConfig{}); err == nil {
		t.Fatal("unknown driver opened")
	}
}

func TestChainNamespacesAndFreezes(t *testing.T) {
	ctx := context.Background()
	base, _ := storage.Open("mem", storage.DriverConfig{})
	frozen := false
	st := storage.Chain(base, mw.Namespaced("stage/"), mw.ReadOnly(func() bool { return frozen }))
	if err := st.Put(ctx, "plan:pro", []byte("{}"), storage.PutOptions{ExpirationTTL: 120}); err != nil {
		t.Fatal(err)
	}
	if _, err := base.Get(ctx, "stage/plan:pro"); err != nil {
		t.Fatalf("namespaced key not written: %v", err)
	}
	page, err := st.List(ctx, storage.ListOptions{Prefix: "plan:"})
	if err != nil || len(page.Keys) != 1 || page.Keys[0].Name != "plan:pro" {
		t.Fatalf("list through namespace: %+v %v", page, err)
	}
	frozen = true
	if err := st.Delete(ctx, "plan:pro"); !errors.Is(err, storage.ErrReadOnly) {
		t.Fatalf("want ErrReadOnly, got %v", err)
	}
}
